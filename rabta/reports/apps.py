from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "rabta.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # Open311 client applications live beside their views (rabta/reports/open311/); Django only
        # imports an app's models.py on its own, so register them here.
        from rabta.reports.open311 import models as open311_models  # noqa: F401
        from rabta.reports.storage import check_private_root

        checks.register(check_private_root)

        # Process-wide: every Image.open (report photos, officer photos) refuses a canvas over the
        # limit from its header, so a few-KB PNG claiming 40 megapixels is never decoded.
        from django.conf import settings

        from rabta.lib.images import return_freed_image_memory, set_pixel_limit

        set_pixel_limit(settings.RABTA_MAX_IMAGE_PIXELS)
        return_freed_image_memory()
