"""Stored messages shown in the reader's language.

Some messages are written once and read later by someone else, or in another language: an import's row
errors are computed by a background task in the language of the page the file was sent from, then read
on the import's page in whatever language the reader chose. ``retranslate`` finds which catalogue
message a stored text was written from (its translation in the source language, placeholders and all),
takes the values back out of it and writes the same message in the target language. A text that no
catalogue message produced is returned as it is.

Values inside the message (a unit code, a cell value) are kept as written; a value that was itself a
translated word stays in the source language.
"""

import re
from functools import lru_cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%")
INDEX_LENGTH = 4


def _messages(language):
    """msgid → msgstr of the catalogue of ``language`` (singular forms only)."""
    out = {}
    for key, value in trans_real.translation(language)._catalog.items():
        if isinstance(key, tuple):  # plural forms: (msgid, n)
            if key[1] != 0:
                continue
            key = key[0]
        if key and isinstance(value, str):
            out[key] = value
    return out


def _catalogue(language):
    """msgid → its text in ``language``, for every msgid of the site's languages (English msgids are
    their own English text: the English catalogue leaves them untranslated)."""
    msgids = {}
    for code, _name in settings.LANGUAGES:
        msgids.update(_messages(code))
    own = _messages(language)
    return {msgid: own.get(msgid, msgid) for msgid in msgids}


def _pattern(text):
    """A regex matching ``text`` with each %(name)s as a group; None when ``text`` has no placeholder."""
    parts, names, position = [], [], 0
    for match in PLACEHOLDER.finditer(text):
        parts.append(re.escape(text[position : match.start()]))
        if match.group(0) == "%%":
            parts.append("%")
        elif match.group(1) in names:
            parts.append(f"(?P={match.group(1)})")
        else:
            names.append(match.group(1))
            parts.append(f"(?P<{match.group(1)}>.+?)")
        position = match.end()
    if not names:
        return None
    parts.append(re.escape(text[position:]))
    return re.compile("".join(parts) + r"\Z", re.S)


@lru_cache(maxsize=8)
def _index(language):
    """For the texts of ``language``: exact text → msgid, and the patterned ones by their first characters."""
    exact, patterned, loose = {}, {}, []
    for msgid, text in _catalogue(language).items():
        if "%(" not in msgid:
            exact.setdefault(text, msgid)
            continue
        pattern = _pattern(text)
        if pattern is None:
            continue
        head = text.split("%(", 1)[0]
        if len(head) >= INDEX_LENGTH:
            patterned.setdefault(head[:INDEX_LENGTH], []).append((pattern, msgid))
        else:
            loose.append((pattern, msgid))
    return exact, patterned, loose


def retranslate(text, source, target):
    """``text``, written in ``source`` from a catalogue message, as the same message in ``target``."""
    if not text or not source or not target or source[:2] == target[:2]:
        return text
    exact, patterned, loose = _index(source[:2])
    with translation.override(target):
        if text in exact:
            return translation.gettext(exact[text])
        for pattern, msgid in patterned.get(text[:INDEX_LENGTH], []) + loose:
            match = pattern.match(text)
            if match:
                return translation.gettext(msgid) % match.groupdict()
    return text
