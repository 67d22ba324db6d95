from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "rabta.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # Open311 client applications live beside their views (rabta/reports/open311/); Django only
        # imports an app's models.py on its own, so register them here.
        from rabta.reports.open311 import models as open311_models  # noqa: F401
