"""Provider webhooks: outside the language prefixes, CSRF-exempt, authenticated by signatures."""

from django.urls import path

from rabta.messaging.webhooks import generic, twilio

app_name = "sms"

urlpatterns = [
    path("twilio/<str:slug>/inbound", twilio.inbound, name="twilio_inbound"),
    path("twilio/<str:slug>/status", twilio.status_callback, name="twilio_status"),
    path("generic/<str:slug>/inbound", generic.inbound, name="generic_inbound"),
    path("generic/<str:slug>/status", generic.status_callback, name="generic_status"),
]
