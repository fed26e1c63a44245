from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("account/security/", views.security, name="security"),
    path("account/two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("account/two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("account/tokens/revoke/", views.token_revoke, name="token_revoke"),
]
