"""Open311 GeoReport v2, mounted at /open311/v2/ (outside the language prefixes: an API, not a page)."""

from django.urls import re_path

from rabta.reports.open311 import views

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.service_list, name="services"),
    re_path(r"^services/(?P<code>[A-Za-z0-9_-]{1,40})" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.service_requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[A-Za-z0-9_-]{1,40})" + FMT, views.service_request, name="request"),
    re_path(r"^tokens/(?P<token>[A-Za-z0-9_-]{1,64})" + FMT, views.token, name="token"),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]
