"""Languages: the one list (settings.LANGUAGES) and the one way to pick a text in the active language.

Content written in every language is kept either as ``<field>_fr``/``_ar``/``_en`` columns or as a
``{"fr": …, "ar": …, "en": …}`` dict (snapshots, notification contexts, the bilan's data). Both are
read here, falling back to the default language (French, always filled) and never to nothing.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language


def language_codes():
    """["fr", "ar", "en"]: the codes of settings.LANGUAGES, default language first."""
    return [code for code, _name in settings.LANGUAGES]


def active_language(language=None):
    """``language`` (or the active one) as one of ours; anything else is the default language."""
    code = (language or get_language() or settings.LANGUAGE_CODE)[:2]
    return code if code in language_codes() else settings.LANGUAGE_CODE


def pick(texts, language=None):
    """The entry of a {language: text} dict in ``language`` (default: the active language)."""
    if not isinstance(texts, dict):
        return texts or ""
    return (
        texts.get(active_language(language))
        or texts.get(settings.LANGUAGE_CODE)
        or next((text for text in texts.values() if text), "")
    )


def field_in(instance, prefix, language=None):
    """``instance.<prefix>_<language>``, or the default language's when that one is empty."""
    return getattr(instance, f"{prefix}_{active_language(language)}", "") or getattr(
        instance, f"{prefix}_{settings.LANGUAGE_CODE}", ""
    )


def fields_of(instance, prefix):
    """{language: instance.<prefix>_<language>} for every language."""
    return {code: getattr(instance, f"{prefix}_{code}", "") for code in language_codes()}


def in_every_language(text):
    """{language: text translated} for a translatable string (a lazy gettext or a choice's label), for
    contexts kept now and rendered later in someone's language (notifications)."""
    texts = {}
    for code in language_codes():
        with translation.override(code):
            texts[code] = str(text)
    return texts
