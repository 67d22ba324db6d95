from django.urls import URLPattern, URLResolver, path

from rabta.insights import exports, public_views, staff_views

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
    # Public: no login, figures that follow the publication rules only (rabta.insights.public).
    path("transparency/", public_views.home, name="public_home"),
    path("transparency/<slug:scope>/<slug:code>/", public_views.place_page, name="public"),
    path("open-data/", public_views.open_data, name="open_data"),
    path("open-data/indicators.csv", public_views.open_data_csv, name="open_data_csv"),
    path("open-data/indicators.json", public_views.open_data_json, name="open_data_json"),
    path("open-data/beats.geojson", public_views.open_data_geojson, name="open_data_geojson"),
]
