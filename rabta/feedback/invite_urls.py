"""URL pattern of the post-contact survey's one-use link; short, because it travels in an SMS."""

from django.urls import path

from rabta.feedback import contact_survey_views

urlpatterns = [
    path("s/<str:token>/", contact_survey_views.contact_survey, name="contact_survey"),
]
