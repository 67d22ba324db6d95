"""The top layer: pages composed from several apps, and the demo pipeline over every app.

It may import every app and no app imports it. Pages that belong to one app stay in that app.

  views    a beat's public page (officers, meetings, "you said, we did") and the staff home
  demo     the pipeline `manage.py seed_demo` runs over each app's demo module
  transfers, forms   moving an officer and handing over their reports, meetings and action items
  retention, tasks      the retention purge over every app's retention.py, and its daily sweep
  management/commands   seed_demo and run_demo (`make demo`); purge (retention, --dry-run counts)
"""
