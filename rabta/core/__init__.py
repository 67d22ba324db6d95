"""Cross-cutting Django helpers that every app may use; core imports only rabta.lib.

scoping      the one rule of which rows a staff member sees (`scoped`, `StaffScopedQuerySet`)
errors       domain errors (`NotVisible`) and the decorator that answers them with a 404
adminscope   the Django admin cut to an admin level and scope
crypto       the project's field cipher over the configured keys; the registry of encrypted fields
keyrotation  re-encrypting every registered field under the active key (`rotate_field_key`)
sql          the raw SQL the ORM cannot express (counter upsert, insert-or-ignore)
ratelimit    database-backed fixed-window rate limits
tasks, periodic   django-tasks helpers and the periodic sweeps run by the worker
worker_tasks, selectors   the sweep marking tasks a killed worker left RUNNING, and their list
sqlite       WAL mode set once per file, so a full disk does not fail reads
retention         Purge (what an app erases on time) and the batched runner every app's retention.py uses
languages, middleware, context_processors, templatetags   languages and the language switcher
middleware   also: 413 for oversized bodies, 503 + Retry-After when the database is unreachable
demo         the `DemoContext` each app's demo module is given (the pipeline is in rabta.site)
views        /healthz
"""
