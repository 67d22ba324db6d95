from django.urls import path

from rabta.messaging import views

app_name = "messaging"

urlpatterns = [
    path("beats/<slug:code>/subscribe/", views.subscribe, name="subscribe"),
    path("staff/sms/simulate/", views.simulate, name="simulate"),
    path("staff/sms/broadcasts/", views.broadcast_list, name="broadcast_list"),
    path("staff/sms/broadcasts/new/", views.broadcast_new, name="broadcast_new"),
    path("staff/sms/broadcasts/<int:pk>/approve/", views.broadcast_approve, name="broadcast_approve"),
]
