from django.urls import path

from rabta.places import views

app_name = "places"

# A beat's own page reads several apps, so it is served by rabta.site ("site:beat").
urlpatterns = [
    path("", views.home, name="home"),
    path("find/", views.find_by_location, name="find"),
    path("find/beat/", views.beat_at, name="beat_at"),
]
