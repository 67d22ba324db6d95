"""URL patterns of feedback's survey pages; included by rabta.feedback.urls under the feedback namespace."""

from django.urls import path

from rabta.feedback import campaign_views, survey_views, theme_views

urlpatterns = [
    path("survey/", survey_views.survey_start, name="survey"),
    path("survey/answer/", survey_views.survey_answer, name="survey_answer"),
    path("survey/thanks/", survey_views.survey_thanks, name="survey_thanks"),
    path("survey/open/<str:token>/", survey_views.survey_open, name="survey_open"),
    path("staff/surveys/", campaign_views.campaign_list, name="campaigns"),
    path("staff/surveys/new/", campaign_views.campaign_create, name="campaign_new"),
    path("staff/surveys/<int:pk>/", campaign_views.campaign_detail, name="campaign"),
    path("staff/surveys/<int:pk>/edit/", campaign_views.campaign_edit, name="campaign_edit"),
    path("staff/surveys/<int:pk>/codes/", campaign_views.campaign_codes, name="campaign_codes"),
    path("staff/surveys/<int:pk>/sms/", campaign_views.campaign_sms_invite, name="campaign_sms_invite"),
    path("staff/surveys/<int:pk>/open-link/", campaign_views.campaign_open_link, name="campaign_open_link"),
    path("staff/surveys/<int:pk>/slips/<int:batch>/", campaign_views.slips, name="slips"),
    path("staff/surveys/paper/", campaign_views.paper_entry, name="paper_entry"),
    path("staff/surveys/texts/", theme_views.text_beats, name="texts"),
    path("staff/surveys/texts/<slug:code>/", theme_views.beat_texts, name="beat_texts"),
    path("staff/surveys/texts/<slug:code>/raise/", theme_views.raise_theme, name="raise_theme"),
    path("staff/surveys/themes/", theme_views.theme_list, name="themes"),
]
