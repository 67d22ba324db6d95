"""URL patterns of feedback's results pages; included by rabta.feedback.urls under the feedback namespace."""

from django.urls import path

from rabta.feedback import results_views

urlpatterns = [
    path("beats/<slug:code>/survey-results/", results_views.public_results, name="public_results"),
    path("staff/results/", results_views.results_index, name="results"),
    path("staff/results/beats/<slug:code>/", results_views.beat_results, name="beat_results"),
    path("staff/results/stations/<slug:code>/", results_views.station_results, name="station_results"),
    path("staff/results/districts/<slug:code>/", results_views.district_results, name="district_results"),
]
