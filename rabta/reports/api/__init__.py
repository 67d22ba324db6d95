"""The staff JSON API (Django REST framework) at /api/v1/, its OpenAPI schema and docs page."""
