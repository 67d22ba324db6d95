from django.urls import path

from rabta.reports import triage_views, views

app_name = "reports"

urlpatterns = [
    path("report/", views.report_form, name="new"),
    path("track/", views.track_lookup, name="track_lookup"),
    path("report/sent/", views.sent, name="sent"),
    path("track/add/", views.track_add, name="track_add"),
    path("track/not-fixed/", views.track_not_fixed, name="track_not_fixed"),
    path("track/<str:token>/", views.track, name="track"),
    path("reports/photo/<slug:public_id>/", views.photo, name="photo"),
    # Officer triage (rabta/reports/triage_views.py)
    path("staff/reports/", triage_views.queue, name="staff_queue"),
    path("staff/reports/<slug:public_id>/", triage_views.detail, name="staff_detail"),
    path("staff/reports/<slug:public_id>/acknowledge/", triage_views.acknowledge, name="staff_acknowledge"),
    path("staff/reports/<slug:public_id>/status/", triage_views.change_status, name="staff_status"),
    path("staff/reports/<slug:public_id>/note/", triage_views.add_note, name="staff_note"),
    path("staff/reports/<slug:public_id>/assign/", triage_views.assign, name="staff_assign"),
    path("staff/reports/<slug:public_id>/duplicate/", triage_views.mark_duplicate, name="staff_duplicate"),
    path("staff/reports/<slug:public_id>/contact/", triage_views.reveal_contact, name="staff_reveal_contact"),
    path("staff/reports/<slug:public_id>/neutral/", triage_views.neutral_wording, name="staff_neutral"),
    path(
        "staff/reports/<slug:public_id>/location/", triage_views.reveal_location, name="staff_reveal_location"
    ),
]
