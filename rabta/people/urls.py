from django.urls import path

from rabta.people import account_views, views

app_name = "people"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("account/", views.account, name="account"),
    path("role-requests/", views.role_requests, name="role_requests"),
    path("role-requests/<int:pk>/", views.role_request_decide, name="role_request_decide"),
    path("security/", account_views.security, name="security"),
    path("people/", account_views.staff_people, name="staff_people"),
    path("people/<int:pk>/reset-device/", account_views.reset_device, name="reset_device"),
    path("password-reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        account_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        account_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
