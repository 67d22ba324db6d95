from django.urls import path

from rabta.people import views

app_name = "people"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("account/", views.account, name="account"),
    path("role-requests/", views.role_requests, name="role_requests"),
    path("role-requests/<int:pk>/", views.role_request_decide, name="role_request_decide"),
]
