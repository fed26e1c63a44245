"""The ground knows no domain: nothing in core/ imports an app of the directorate-general's."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
DOMAIN_APPS = {name for name in settings.INSTALLED_APPS if (ROOT / name).is_dir() and name != "core"}


def imported_modules(path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


def test_core_imports_no_domain_app():
    assert {"directorates", "reviews", "roadmap"} <= DOMAIN_APPS
    found = sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for path in (ROOT / "core").rglob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] in DOMAIN_APPS
    )
    assert found == []
