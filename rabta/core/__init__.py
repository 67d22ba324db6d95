"""Cross-cutting Django helpers that every app may use; core imports only rabta.lib.

scoping      the one rule of which rows a staff member sees (`scoped`, `StaffScopedQuerySet`)
errors       domain errors (`NotVisible`) and the decorator that answers them with a 404
adminscope   the Django admin cut to an admin level and scope
crypto       the project's field cipher over settings.RABTA_FIELD_KEY
sql          the raw SQL the ORM cannot express (counter upsert, insert-or-ignore)
ratelimit    database-backed fixed-window rate limits
tasks, periodic   django-tasks helpers and the periodic sweeps run by the worker
languages, middleware, context_processors, templatetags   languages and the language switcher
demo         the `DemoContext` each app's demo module is given (the pipeline is in rabta.site)
views        /healthz
"""
