from django.urls import URLPattern, URLResolver, path

from rabta.insights import exports, staff_views

app_name = "insights"

urlpatterns: list[URLPattern | URLResolver] = [
    path("staff/insights/", staff_views.home, name="home"),
    path("staff/insights/<slug:scope>/<int:pk>/", staff_views.place_dashboard, name="dashboard"),
    path("staff/insights/export/measures.csv", exports.measures_csv, name="export_measures"),
    path("staff/insights/export/codebook.csv", exports.codebook_csv, name="export_codebook"),
    path("staff/insights/export/research.csv", exports.research_csv, name="export_research"),
    path(
        "staff/insights/export/research-summary.json",
        exports.research_summary,
        name="export_research_summary",
    ),
]
