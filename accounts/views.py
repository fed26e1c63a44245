"""Web pages of one's own login security: the second factor, recovery codes and API tokens."""

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts import services
from accounts.auth import second_factor_required
from accounts.forms import CodeForm, TokenRevokeForm
from accounts.middleware import SESSION_ENDED
from core.errors import DomainError


class LoginView(auth_views.LoginView):
    """Django's login page, saying so when the previous session ended by itself."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["session_ended"] = self.request.session.pop(SESSION_ENDED, False)
        return context


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@login_required
def two_factor_verify(request):
    """Second step of the login: an authenticator code or a recovery code."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not services.has_second_factor(request.user):
        return redirect("accounts:two_factor_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.second_factor_check(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if device.name == services.RECOVERY_DEVICE_NAME:
                messages.warning(
                    request,
                    _("You used a recovery code: %(left)d left. Make new ones on your security page if you run short.")
                    % {"left": services.recovery_codes_left(user=request.user)},
                )
            return redirect(_next_url(request))
        form.add_error(
            "code",
            _(
                "This code is not right, or was already used. Wait for the next code and try "
                "again; after several wrong codes each new try must wait longer."
            ),
        )
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@login_required
def two_factor_setup(request):
    """Set up an authenticator: scan the QR code (drawn here, nothing fetched), type a code, keep the
    recovery codes. Someone who already has one must give a code first (the middleware sees to it for
    the roles that need it; here for everyone)."""
    if services.has_second_factor(request.user) and not request.user.is_verified():
        return redirect("accounts:two_factor_verify")
    device = services.totp_setup_start(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.totp_setup_confirm(user=request.user, code=form.cleaned_data["code"])
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            otp_login(request, device)
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)})
    from base64 import b32encode

    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": qr.svg_inline(scale=5, dark="#000", light="#fff", omitsize=False),
            "secret": b32encode(device.bin_key).decode(),
            "next": _next_url(request),
        },
    )


@login_required
def security(request):
    """One's own login security: second factor, recovery codes, API tokens."""
    return render(
        request,
        "accounts/security.html",
        {
            "second_factor_required": second_factor_required(request.user),
            "has_second_factor": services.has_second_factor(request.user),
            "recovery_codes_left": services.recovery_codes_left(user=request.user),
            "tokens": [(services.token_public_id(token), token) for token in services.token_list(user=request.user)],
        },
    )


@login_required
@require_POST
def recovery_codes(request):
    if not services.has_second_factor(request.user) or not request.user.is_verified():
        messages.error(request, _("Set up an authenticator and log in with it first."))
        return redirect("accounts:security")
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": services.recovery_codes_regenerate(user=request.user), "next": ""},
    )


@login_required
@require_POST
def token_revoke(request):
    form = TokenRevokeForm(request.POST)
    if form.is_valid() and services.token_revoke_by_id(actor=request.user, public_id=form.cleaned_data["token"]):
        messages.success(request, _("The API token is revoked."))
    else:
        messages.error(request, _("No such API token."))
    return redirect("accounts:security")
