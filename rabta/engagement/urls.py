from django.urls import path

from rabta.engagement.views import public, staff, work

app_name = "engagement"

urlpatterns = [
    path("beats/<slug:code>/you-said-we-did/", public.you_said_we_did, name="you_said_we_did"),
    path("staff/meetings/", staff.meeting_list, name="meetings"),
    path("staff/meetings/new/", staff.meeting_new, name="meeting_new"),
    path("staff/meetings/<int:pk>/", staff.meeting_detail, name="meeting"),
    path("staff/meetings/<int:pk>/edit/", staff.meeting_edit, name="meeting_edit"),
    path("staff/meetings/<int:pk>/record/", staff.meeting_record, name="meeting_record"),
    path("staff/meetings/<int:pk>/cancel/", staff.meeting_cancel, name="meeting_cancel"),
    path("staff/meetings/<int:pk>/announce/", staff.meeting_announce, name="meeting_announce"),
    path("staff/meetings/<int:pk>/register/", staff.meeting_register, name="meeting_register"),
    path("staff/meetings/<int:pk>/priorities/new/", staff.priority_new, name="priority_new"),
    path("staff/meetings/priorities/<int:pk>/actions/new/", work.action_new, name="action_new"),
    path("staff/meetings/actions/", work.action_list, name="actions"),
    path("staff/meetings/actions/<int:pk>/", work.action_detail, name="action"),
    path("staff/meetings/committees/", work.committee_list, name="committees"),
    path("staff/meetings/committees/<int:pk>/", work.committee_detail, name="committee"),
    path("staff/meetings/agencies/", work.agency_list, name="agencies"),
]
