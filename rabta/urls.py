from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from rabta.core import error_views
from rabta.core import views as core_views
from rabta.people.auth import RabtaAdminSite
from rabta.people.media import officer_photo

# The admin demands a verified second factor, like every staff page, and is entered only
# through Rabta's own (rate-limited) login page.
admin.site.__class__ = RabtaAdminSite
admin.site.site_header = "Rabta"
admin.site.site_title = "Rabta"

# 404 and 403 are Django's handlers with Rabta's templates; the 500 page must not need the database
# or a request context (rabta.core.error_views).
handler500 = error_views.server_error

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", error_views.favicon, name="favicon"),
    # The only media URL, with DEBUG on or off: officer photos of public profiles (docs/deploy.md
    # "Media files"). Report photos are private files served by reports:photo.
    path("media/officers/<path:name>", officer_photo, name="officer_photo"),
    path("admin/", admin.site.urls),
    path("feeds/", include("rabta.engagement.feed_urls")),
    path("sms/", include("rabta.messaging.webhook_urls")),
    path("open311/v2/", include("rabta.reports.open311.urls")),
    path("api/v1/presence/", include("rabta.presence.api_urls")),
    path("api/", include("rabta.reports.api.urls")),
]

# Pages people read carry their language in the path (/en/, /ur/, /ps/): links can be shared
# and cached per language, and the switcher is a plain link that works without JavaScript.
urlpatterns += i18n_patterns(
    path("staff/", include("rabta.people.urls")),
    path("", include("rabta.reports.urls")),
    path("", include("rabta.engagement.urls")),
    path("", include("rabta.presence.urls")),
    path("", include("rabta.feedback.urls")),
    path("", include("rabta.insights.urls")),
    path("", include("rabta.messaging.urls")),
    path("", include("rabta.places.urls")),
    path("", include("rabta.site.urls")),
)
