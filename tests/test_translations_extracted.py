"""Strings marked for translation in the code are in the catalogues (catches a forgotten `make messages`)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["core", "directorates", "reviews", "roadmap", "notifications", "figures", "transfers", "templates"]
TEMPLATE_TAG = re.compile(r'{%\s*translate\s+"([^"\\{}]+)"')
PY_CALL = re.compile(
    r'\b(?:_|gettext|gettext_lazy)\(\s*"([^"\\]+)"\s*[,)]'
    r'|\bpgettext(?:_lazy)?\(\s*"[^"\\]+"\s*,\s*"([^"\\]+)"\s*[,)]'
)


def marked_strings():
    found = set()
    for app in APPS:
        base = ROOT / app
        if not base.exists():
            continue
        for path in base.rglob("*"):
            if "migrations" in path.parts or path.suffix not in (".py", ".html", ".txt"):
                continue
            text = path.read_text(encoding="utf-8")
            pattern = PY_CALL if path.suffix == ".py" else TEMPLATE_TAG
            for match in pattern.findall(text):
                found.update(part for part in (match if isinstance(match, tuple) else (match,)) if part)
    return found


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_marked_string_is_in_the_catalogue(language):
    catalogue = (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    ids = set(re.findall(r'^msgid "(.*)"$', catalogue, re.MULTILINE))
    # Multi-line msgids: join their continuation lines.
    for block in re.findall(r'^msgid ""\n((?:".*"\n)+)', catalogue, re.MULTILINE):
        ids.add("".join(re.findall(r'^"(.*)"$', block, re.MULTILINE)))
    strings = marked_strings()
    missing = sorted(s for s in strings if s.replace('"', '\\"') not in ids)
    assert len(strings) > 100
    assert not missing, f"run `make messages` and translate: {missing[:10]}"
