"""/api/: the staff API (v1), its OpenAPI 3 schema and a server-rendered docs page."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from rabta.reports.api import docs, views

app_name = "api"

router = SimpleRouter()
router.register("reports", views.ReportViewSet, basename="report")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.docs, name="docs"),
]
