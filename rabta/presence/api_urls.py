"""/api/v1/presence/: contacts and targets, beside the reports API (rabta.reports.api.urls)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from rabta.presence import api

app_name = "presence_api"

router = SimpleRouter()
router.register("contacts", api.ContactViewSet, basename="contact")
router.register("targets", api.TargetViewSet, basename="target")

urlpatterns = [path("", include(router.urls))]
