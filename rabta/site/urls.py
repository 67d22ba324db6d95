from django.urls import path

from rabta.site import views

app_name = "site"

urlpatterns = [
    path("beats/<slug:code>/", views.beat_detail, name="beat"),
    path("staff/", views.staff_home, name="staff_home"),
]
