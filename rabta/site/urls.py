from django.urls import path

from rabta.site import views

app_name = "site"

urlpatterns = [
    path("beats/<slug:code>/", views.beat_detail, name="beat"),
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/health/", views.staff_health, name="staff_health"),
    path("staff/transfers/", views.transfer_list, name="transfer_list"),
    path("staff/transfers/<int:user_id>/", views.transfer_officer, name="transfer_officer"),
]
