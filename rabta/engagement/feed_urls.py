"""Calendar feeds live outside the language prefix: a calendar app subscribes to one stable URL."""

from django.urls import path

from rabta.engagement.views import public

app_name = "engagement_feeds"

urlpatterns = [
    path("beats/<slug:code>/meetings.ics", public.beat_feed, name="beat_meetings"),
]
