from django.urls import path

from rabta.presence import board_views, contact_views, desk_views, export

app_name = "presence"

urlpatterns = [
    path("staff/presence/", board_views.board, name="board"),
    path("staff/presence/plan/", board_views.plan, name="plan"),
    path("staff/presence/targets/", board_views.target_list, name="targets"),
    path("staff/presence/targets/<slug:code>/", board_views.target_edit, name="target_edit"),
    path("staff/presence/desk/", desk_views.desk, name="desk"),
    path("staff/presence/desk/start/", desk_views.shift_start, name="shift_start"),
    path("staff/presence/desk/end/", desk_views.shift_end, name="shift_end"),
    path("staff/presence/desk/record/", desk_views.shift_record, name="shift_record"),
    path("staff/presence/log/", contact_views.contact_log, name="contact_log"),
    path("staff/presence/contacts/", contact_views.contact_list, name="contacts"),
    path("staff/presence/contacts/export.csv", export.contacts_csv, name="contacts_export"),
    path("staff/presence/contacts/<int:pk>/", contact_views.contact_detail, name="contact"),
    path("staff/presence/contacts/<int:pk>/point/", contact_views.contact_point, name="contact_point"),
]
