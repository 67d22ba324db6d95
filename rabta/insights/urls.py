from django.urls import URLPattern, URLResolver, path

from rabta.insights import staff_views

app_name = "insights"

urlpatterns: list[URLPattern | URLResolver] = [
    path("staff/insights/", staff_views.home, name="home"),
    path("staff/insights/<slug:scope>/<int:pk>/", staff_views.place_dashboard, name="dashboard"),
]
