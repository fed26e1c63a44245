from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """Use the language saved on the user's profile unless they chose one this session.

    Runs before LocaleMiddleware, which reads the language cookie set by the
    switcher; the profile language only fills in when no cookie is present.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if settings.LANGUAGE_COOKIE_NAME in request.COOKIES or not user or not user.is_authenticated:
            return None
        language = getattr(user, "language", "")
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return None


FORWARDED_HEADERS = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST", "HTTP_FORWARDED")


class TrustedProxyMiddleware:
    """Forwarding headers count only when they come from a proxy named in ``DJANGO_TRUSTED_PROXIES``.

    Anyone reaching the application directly could otherwise claim HTTPS (``X-Forwarded-Proto``, read
    by ``SECURE_PROXY_SSL_HEADER``) or another address (``X-Forwarded-For``, read by the login
    lock-out). Runs first, before SecurityMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("REMOTE_ADDR") not in settings.TRUSTED_PROXIES:
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


def client_ip(request):
    """The address of the person logging in: the proxy's last ``X-Forwarded-For`` entry when a trusted
    proxy sent the request (TrustedProxyMiddleware drops the header otherwise), else the peer address."""
    request = getattr(request, "_request", request)  # a DRF request wraps Django's
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and remote in settings.TRUSTED_PROXIES:
        return forwarded.split(",")[-1].strip() or remote
    return remote
