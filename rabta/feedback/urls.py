from rabta.feedback import invite_urls, results_urls, survey_urls

app_name = "feedback"

# One namespace, patterns kept beside the views they serve.
urlpatterns = [*survey_urls.urlpatterns, *invite_urls.urlpatterns, *results_urls.urlpatterns]
