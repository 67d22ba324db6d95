from django.urls import path

from rabta.places import views

app_name = "places"

urlpatterns = [
    path("", views.home, name="home"),
    path("find/", views.find_by_location, name="find"),
    path("beats/<slug:code>/", views.beat_detail, name="beat"),
]
