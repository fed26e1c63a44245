"""Every interface string is translated into French and Arabic, and the compiled catalogues are current."""

import re
from pathlib import Path

import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent / "locale"
ENTRY = re.compile(r'^(?:msgctxt "(.*)"\n)?msgid "(.*)"\nmsgstr "(.*)"\n', re.MULTILINE)


def entries(language):
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    blocks = text.split("\n\n")[1:]  # the first block is the header
    return blocks, ENTRY.findall(text)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_no_interface_string_is_left_untranslated(language):
    blocks, _ = entries(language)
    untranslated = [
        b
        for b in blocks
        if b.strip()
        and not b.lstrip().startswith("#~")
        and re.search(r'^msgstr(\[\d\])? ""\n?$', b.strip().split("\n\n")[0].split("\n")[-1])
        and 'msgstr ""\n"' not in b
    ]
    fuzzy = [b for b in blocks if "#, fuzzy" in b]
    assert not untranslated, untranslated[:5]
    assert not fuzzy, fuzzy[:5]


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_compiled_catalogue_matches_the_source(language):
    _, pairs = entries(language)
    checked = 0
    with translation.override(language):
        for context, msgid, msgstr in pairs:
            if not msgid or not msgstr or "\\" in msgid or "\\" in msgstr:
                continue
            found = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
            assert found == msgstr, f"run `make messages`: {msgid!r} is stale in {language}"
            checked += 1
    assert checked > 100
