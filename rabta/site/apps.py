from django.apps import AppConfig


class SiteConfig(AppConfig):
    """Pages composed from several apps, and the demo that seeds them all; no models of its own."""

    name = "rabta.site"
    label = "site"
    verbose_name = "Rabta site"
