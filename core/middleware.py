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
