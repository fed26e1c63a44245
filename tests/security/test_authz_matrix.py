"""The authorization matrix (issue 10): every page and API endpoint × every role × objects of unit A and B.

The pages come from the URL configuration, the endpoints from the OpenAPI schema; each must have a row in
ROWS (``test_every_page_and_endpoint_has_a_row``), and every cell's answer is checked against the row's rule
(``test_the_matrix``). A cell's expected answer is a category:

- ``ok``: 2xx or a redirect elsewhere than the login page (the page is shown, the action is done or refused
  with a message — web actions always answer with a redirect and a message);
- ``allowed``: the request got past authorization: anything but 401/403/404, a login redirect or a 5xx
  (writes are sent without a valid body, so a 400, 409 or 428 is an allowed answer);
- ``rejected``: past authorization and refused for what the request or the object is (400, 405, 409...);
- ``403``, ``404``, ``denied`` (403 or 404), ``login`` (302 to the login page), ``401``;
- ``any``: not checked here (decided elsewhere: login pages, schema and docs), except that it is no 5xx.

Objects: ``A``/``B`` are unit A's and unit B's; ``approved``/``draft`` the 2023 approved and 2024 draft
roadmaps; ``A-draft``/``B-draft`` objectives (or milestones) of the draft roadmap; ``-`` no object.
Each write cell runs inside a savepoint rolled back afterwards, so every cell sees the same world.
"""

import re
from dataclasses import dataclass, field

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tests.security import world as world_module

ROLES = ["anon", "editor_a", "head_a", "head_parent", "head_b", "office", "dg", "admin"]
OFFICE = {"office", "dg", "admin"}  # sees every unit (User.sees_everything)
SEES = {"A": {"editor_a", "head_a", "head_parent", *OFFICE}, "B": {"head_b", *OFFICE}}
EDITORS = {"A": {"editor_a", "head_a"}, "B": {"head_b"}}  # write their own unit's content
HEADS = {"A": {"head_a"}, "B": {"head_b"}}
RECIPIENT = {"A": "editor_a", "B": "head_b"}  # deliveries and imports belong to one person


def unit(o):
    return o.split("-")[0]


# ---------------------------------------------------------------- rules: (role, object) -> category


def everyone(r, o):
    return "ok"


def office_only(r, o):
    return "ok" if r in OFFICE else "403"


def preparer_only(r, o):  # the DG's office itself (org role reviewer): builds the meeting, edits the roadmap
    return "ok" if r == "office" else "403"


def unit_read(r, o):
    return "ok" if r in SEES[unit(o)] else "404"


def draft_read(r, o):  # an objective of a draft roadmap: the office's only
    return "ok" if r in OFFICE else "404"


def objective_read(r, o):
    return draft_read(r, o) if o.endswith("-draft") else unit_read(r, o)


def unit_write(r, o):  # visible, then the service decides (message, 400, 409...)
    return "allowed" if r in SEES[unit(o)] else "404"


def discuss(r, o):  # reviews.permissions.can_discuss_item, behind the report's visibility
    if r not in SEES[unit(o)]:
        return "404"
    return "allowed" if r in EDITORS[unit(o)] | {"office"} else "403"


def objective_write(r, o):
    return ("allowed" if r in OFFICE else "404") if o.endswith("-draft") else unit_write(r, o)


def manage_deliverables(r, o):  # directorates.services.can_manage_deliverables, behind the unit's visibility
    if r not in SEES[unit(o)]:
        return "404"
    return "ok" if r in EDITORS[unit(o)] or r in {"office", "admin"} else "403"


def edit_report(r, o):  # the edit page: own unit's people; an accepted report redirects to its page
    if r not in SEES[o]:
        return "404"
    return "ok" if r in EDITORS[o] else "403"


def history(r, o):
    return ("ok" if r in OFFICE else "403") if r in SEES[o] else "404"


def record_progress(r, o):  # the owner unit's head, on an approved roadmap's milestone
    if r not in (SEES[unit(o)] if not o.endswith("-draft") else OFFICE):
        return "404"
    return "ok" if r in HEADS[unit(o)] else "403"


def own(r, o):  # a person's own notification or import (administrators see every import)
    return "ok" if r == RECIPIENT[o] else "404"


def own_import(r, o):
    return "ok" if r in (RECIPIENT[o], "admin") else "404"


def bilan_draft_read(r, o):
    return "ok" if r in OFFICE else "404"


def bilan_editor(r, o):
    return "ok" if r in {"office", "admin"} else "403"


def delivery_resend(r, o):
    return "allowed" if r in {"office", "admin"} else "403"


def roadmap_read(r, o):  # a unit's people read an approved roadmap only (docs/roadmap.md)
    return "ok" if o == "approved" or r in OFFICE else "404"


def as_write(rule):
    """A write: the read rule's "ok" becomes "allowed" (a body-less request may be a 400, 409, 428...)."""

    def write(r, o):
        answer = rule(r, o)
        return "allowed" if answer == "ok" else answer

    write.__name__ = f"write_{rule.__name__}"
    return write


def public(r, o):
    return "any"


# ---------------------------------------------------------------- rows


@dataclass
class Row:
    key: str  # a URL name ("reviews:report_detail") or "METHOD /api/path/{param}/"
    method: str
    rule: object
    objects: dict = field(default_factory=lambda: {"-": {}})  # object -> lambda w: path kwargs
    variants: tuple = ({},)  # extra path kwargs, one set of cells each (e.g. the action of an action URL)
    anon: str = ""  # the anonymous answer when it is not the default (web: login, API: 401)
    query: str = ""  # a query string sent with every cell


def A_B(getter):
    return {"A": lambda w: getter(w, "A"), "B": lambda w: getter(w, "B")}


CODE = A_B(lambda w, k: {"code": w.units[k].code})
CODE_YEAR = A_B(lambda w, k: {"code": w.units[k].code, "year": 2022})
REPORT = A_B(lambda w, k: {"pk": w.reports[k].pk})
DELIVERABLE = A_B(lambda w, k: {"code": w.units[k].code, "year": 2022, "pk": w.deliverables[k].pk})
ATTACHMENT = A_B(lambda w, k: {"pk": w.attachments[k].pk})
DELIVERY = A_B(lambda w, k: {"pk": w.deliveries[k].pk})
IMPORT = A_B(lambda w, k: {"pk": w.imports[k].pk})
ROADMAPS = {"approved": lambda w: {"year": 2023}, "draft": lambda w: {"year": 2024}}
OBJECTIVES = {
    **A_B(lambda w, k: {"pk": w.objectives[k].pk}),
    "A-draft": lambda w: {"pk": w.draft_objectives["A"].pk},
    "B-draft": lambda w: {"pk": w.draft_objectives["B"].pk},
}
MILESTONES = {
    **A_B(lambda w, k: {"pk": w.milestones[k].pk}),
    "A-draft": lambda w: {"pk": w.draft_milestones["A"].pk},
    "B-draft": lambda w: {"pk": w.draft_milestones["B"].pk},
}
YEAR_2022 = {"-": lambda w: {"year": 2022}}
API_IDS = {
    name: {key: (lambda get: lambda w: {"id": get(w)["pk"]})(get) for key, get in objects.items()}  # noqa: B023
    for name, objects in (
        ("report", REPORT),
        ("objective", OBJECTIVES),
        ("milestone", MILESTONES),
        ("attachment", ATTACHMENT),
        ("delivery", DELIVERY),
    )
}
API_DELIVERABLE = A_B(lambda w, k: {"id": w.deliverables[k].pk})
API_FIGURE = A_B(lambda w, k: {"id": w.figures[k].pk})
API_PRIORITY = {"-": lambda w: {"id": w.priority.pk}}
FLAG = {"A": lambda w: {"pk": w.reports["A"].pk, "flag": w.flags["A"].pk}}
API_FLAG = {"A": lambda w: {"id": w.reports["A"].pk, "flag": w.flags["A"].pk}}

WEB_ROWS = [
    Row("home", "GET", everyone),
    Row("search", "GET", everyone, query="q=a"),  # scoped by the selectors: tests/ux/test_search.py
    Row("login", "GET", public, anon="any"),
    Row("logout", "POST", public, anon="any"),
    Row("set_language", "POST", public, anon="any"),
    Row("api-schema", "GET", public, anon="any"),  # behind login: the "login" helper's tests
    Row("api-docs", "GET", public, anon="any"),
    Row("directorates:unit_list", "GET", everyone),
    Row("directorates:cahier", "GET", unit_read, CODE),
    Row("directorates:cahier_year", "GET", unit_read, CODE_YEAR),
    Row("directorates:deliverable_add", "GET", manage_deliverables, CODE_YEAR),
    Row("directorates:deliverable_edit", "GET", manage_deliverables, DELIVERABLE),
    Row("directorates:deliverable_delete", "POST", as_write(manage_deliverables), DELIVERABLE),
    Row("directorates:unit_history", "GET", office_only, CODE),
    Row("figures:report_figures", "GET", unit_read, REPORT),
    Row("figures:unit_dashboard", "GET", unit_read, CODE),
    Row("figures:unit_figures", "GET", unit_read, CODE_YEAR),
    Row("figures:dashboard", "GET", everyone),
    Row("figures:bilan_list", "GET", everyone),
    Row("figures:bilan_detail", "GET", bilan_draft_read, YEAR_2022),
    Row("figures:bilan_edit", "GET", bilan_editor, YEAR_2022),
    Row("figures:bilan_download", "GET", bilan_draft_read, YEAR_2022, variants=({"fmt": "xlsx"},)),
    # The public edition: anyone, without an account, once the bilan is published (2022's is a draft).
    Row("figures:bilan_public", "GET", lambda r, o: "404", YEAR_2022, anon="404"),
    Row("figures:bilan_public_download", "GET", lambda r, o: "404", YEAR_2022, variants=({"fmt": "xlsx"},), anon="404"),
    Row(
        "figures:bilan_action",
        "POST",
        everyone,
        YEAR_2022,
        variants=tuple({"action": a} for a in ("start", "approve", "publish", "reopen")),
    ),
    Row("reviews:report_list", "GET", everyone),
    Row("reviews:report_detail", "GET", unit_read, REPORT),
    Row("reviews:report_edit", "GET", edit_report, REPORT),
    Row("reviews:report_history", "GET", history, REPORT),
    Row(
        "reviews:report_transition",
        "POST",
        unit_write,
        REPORT,
        variants=tuple({"action": a} for a in ("submit", "return", "accept")),
    ),
    Row("reviews:report_start", "POST", unit_write, CODE_YEAR),
    Row(
        "reviews:report_extend",
        "POST",
        lambda r, o: "404" if r not in SEES[o] else ("allowed" if r == "office" else "403"),
        REPORT,
    ),
    # A flag's thread: the unit's people and the DG's office's reviewers write in it (A's report is
    # accepted, so they are refused with a message); others who see the report are 403.
    Row("reviews:review_item_comment", "POST", discuss, FLAG),
    Row("reviews:attachment_download", "GET", unit_read, ATTACHMENT),
    Row("reviews:attachment_delete", "POST", unit_write, ATTACHMENT),
    Row("reviews:dashboard", "GET", office_only, YEAR_2022),
    Row("roadmap:home", "GET", everyone),
    Row("roadmap:meeting_home", "GET", everyone),
    Row("roadmap:priority_home", "GET", everyone),
    Row("roadmap:detail", "GET", everyone, ROADMAPS),
    Row("roadmap:diff", "GET", office_only, ROADMAPS),
    Row("roadmap:objective_new", "GET", preparer_only, ROADMAPS),
    Row(
        "roadmap:action",
        "POST",
        everyone,
        ROADMAPS,
        variants=tuple({"action": a} for a in ("compile", "propose", "approve", "return", "new_version")),
    ),
    Row("roadmap:objective_detail", "GET", objective_read, OBJECTIVES),
    Row("roadmap:objective_edit", "GET", objective_read, OBJECTIVES),
    Row(
        "roadmap:objective_action",
        "POST",
        objective_write,
        OBJECTIVES,
        variants=tuple({"action": a} for a in ("drop", "restore", "merge", "split")),
    ),
    Row("roadmap:progress", "GET", record_progress, MILESTONES),
    Row("roadmap:meeting", "GET", office_only, YEAR_2022),
    Row(
        "roadmap:briefing",
        "GET",
        office_only,
        {"A": lambda w: {"year": 2022, "code": "SP-A"}, "B": lambda w: {"year": 2022, "code": "WS-B"}},
    ),
    Row("roadmap:compstat", "GET", office_only, YEAR_2022),
    # The meeting screen follows the agenda: unit A's accepted report is on it, unit B's draft is not.
    Row(
        "roadmap:compstat_unit",
        "GET",
        lambda r, o: ("ok" if o == "A" else "404") if r in OFFICE else "403",
        {"A": lambda w: {"year": 2022, "code": "SP-A"}, "B": lambda w: {"year": 2022, "code": "WS-B"}},
    ),
    Row(
        "roadmap:meeting_action",
        "POST",
        as_write(preparer_only),
        YEAR_2022,
        variants=tuple({"action": a} for a in ("build", "move", "invite", "attendance")),
    ),
    Row("roadmap:priorities", "GET", everyone, YEAR_2022),
    Row("notifications:list", "GET", everyone),
    Row("notifications:mark_read", "POST", everyone),
    Row("notifications:open", "GET", own, DELIVERY),
    Row("notifications:delivery_log_current", "GET", office_only),
    Row("notifications:delivery_log", "GET", office_only, YEAR_2022),
    Row("notifications:resend", "POST", delivery_resend, DELIVERY),
    Row("transfers:import_list", "GET", everyone),
    # Every unit's head and editors import their own cahier des charges (rita: her region's own).
    Row("transfers:import_new", "GET", lambda r, o: "403" if r == "dg" else "ok", variants=({"kind": "deliverables"},)),
    Row("transfers:import_template", "GET", everyone, variants=({"kind": "deliverables", "fmt": "xlsx"},)),
    Row("transfers:import_detail", "GET", own_import, IMPORT),
    Row("transfers:import_status", "GET", own_import, IMPORT),
    Row("transfers:import_confirm", "POST", as_write(own_import), IMPORT),
    Row("transfers:import_file", "GET", own_import, IMPORT),
    Row("transfers:export", "GET", everyone, variants=({"kind": "reports", "fmt": "xlsx"},)),
    Row("transfers:import_retry", "POST", as_write(own_import), IMPORT),
    # Pages added by the other issues of the same session.
    Row("favicon", "GET", everyone, anon="ok"),
    Row("health", "GET", everyone, anon="ok"),  # for a load balancer: no login (docs in README)
    # A person's own login security: every signed-in person; what each page allows is in tests/accounts.
    *[
        Row(f"accounts:{name}", method, public)
        for name, method in (
            ("security", "GET"),
            ("two_factor_setup", "GET"),
            ("two_factor_verify", "GET"),
            ("recovery_codes", "GET"),
            ("token_revoke", "POST"),
        )
    ],
    # The demo's outbox exists only with DEBUG on, for demo logins; the matrix runs with DEBUG off.
    Row("notifications:demo_outbox", "GET", lambda r, o: "404"),
    # The 2022 bilan of the world is a draft: it has no public edition yet, for anyone.
    Row("figures:bilan_public", "GET", lambda r, o: "404", YEAR_2022, anon="404"),
    Row("figures:bilan_public_download", "GET", lambda r, o: "404", YEAR_2022, anon="404", variants=({"fmt": "xlsx"},)),
    Row("roadmap:briefing_all", "GET", office_only, YEAR_2022),
    Row("roadmap:compstat", "GET", office_only, YEAR_2022),
    # The office's, then a unit not on the meeting's agenda has no screen (404).
    Row(
        "roadmap:compstat_unit",
        "GET",
        lambda r, o: "any" if r in OFFICE else "403",
        {"A": lambda w: {"year": 2022, "code": "SP-A"}, "B": lambda w: {"year": 2022, "code": "WS-B"}},
    ),
]

API_ROWS = [
    Row("GET /api/v1/", "GET", everyone),
    # Tokens: each person's own (tests/accounts); a session-authenticated caller has no current token.
    Row("DELETE /api/v1/auth/token/", "DELETE", public),
    Row("GET /api/v1/auth/tokens/", "GET", everyone),
    Row(
        "DELETE /api/v1/auth/tokens/{token_id}/",
        "DELETE",
        lambda r, o: "404",
        {"-": lambda w: {"token_id": "0123456789abcdef"}},
    ),
    Row("POST /api/v1/auth/token/", "POST", public, anon="any"),  # the "login" helper's (lock-out, expiry)
    Row("GET /api/v1/attachments/{id}/", "GET", unit_read, API_IDS["attachment"]),
    Row("GET /api/v1/bilan/{year}/", "GET", lambda r, o: "ok" if r in OFFICE else "403", YEAR_2022),
    Row("POST /api/v1/bilan/{year}/approve/", "POST", lambda r, o: "allowed" if r == "dg" else "403", YEAR_2022),
    Row(
        "POST /api/v1/bilan/{year}/publish/",
        "POST",
        lambda r, o: "allowed" if r in {"office", "dg"} else "403",
        YEAR_2022,
    ),
    Row("POST /api/v1/bilan/{year}/reopen/", "POST", lambda r, o: "allowed" if r in OFFICE else "403", YEAR_2022),
    Row("GET /api/v1/cycles/", "GET", everyone),
    Row("GET /api/v1/cycles/{year}/", "GET", everyone, YEAR_2022),
    Row("GET /api/v1/deliverables/", "GET", everyone),
    Row("POST /api/v1/deliverables/", "POST", lambda r, o: "allowed"),
    Row("GET /api/v1/deliverables/{id}/", "GET", unit_read, API_DELIVERABLE),
    Row("PUT /api/v1/deliverables/{id}/", "PUT", as_write(manage_deliverables), API_DELIVERABLE),
    Row("PATCH /api/v1/deliverables/{id}/", "PATCH", as_write(manage_deliverables), API_DELIVERABLE),
    Row("GET /api/v1/deliveries/", "GET", office_only),
    Row("POST /api/v1/deliveries/{id}/resend/", "POST", delivery_resend, API_IDS["delivery"]),
    Row("GET /api/v1/directorates/", "GET", everyone),
    Row("GET /api/v1/directorates/{code}/", "GET", unit_read, CODE),
    Row("GET /api/v1/figures/", "GET", everyone),
    Row("POST /api/v1/figures/", "POST", lambda r, o: "allowed"),
    Row("GET /api/v1/figures/{id}/", "GET", unit_read, API_FIGURE),
    Row("POST /api/v1/figures/bulk/", "POST", lambda r, o: "allowed"),
    Row("GET /api/v1/indicators/", "GET", everyone),
    Row("GET /api/v1/indicators/{code}/", "GET", everyone, {"-": lambda w: {"code": "cases_handled"}}),
    Row("POST /api/v1/milestones/{id}/progress/", "POST", as_write(record_progress), API_IDS["milestone"]),
    Row("GET /api/v1/notifications/", "GET", everyone),
    Row("POST /api/v1/notifications/read/", "POST", lambda r, o: "allowed"),
    Row("GET /api/v1/notifications/unread/", "GET", everyone),
    Row("GET /api/v1/objectives/", "GET", everyone),
    Row("POST /api/v1/objectives/", "POST", lambda r, o: "allowed" if r == "office" else "403"),
    Row("GET /api/v1/objectives/{id}/", "GET", objective_read, API_IDS["objective"]),
    Row(
        "PATCH /api/v1/objectives/{id}/",
        "PATCH",
        lambda r, o: objective_read(r, o) if objective_read(r, o) != "ok" else ("allowed" if r == "office" else "403"),
        API_IDS["objective"],
    ),
    *[
        Row(
            f"POST /api/v1/objectives/{{id}}/{a}/",
            "POST",
            lambda r, o: (
                objective_read(r, o) if objective_read(r, o) != "ok" else ("allowed" if r == "office" else "403")
            ),
            API_IDS["objective"],
        )
        for a in ("drop", "merge", "split")
    ],
    Row("GET /api/v1/priorities/", "GET", everyone),
    Row("POST /api/v1/priorities/", "POST", lambda r, o: "allowed" if r in {"office", "dg"} else "403"),
    Row("GET /api/v1/priorities/{id}/", "GET", everyone, API_PRIORITY),
    Row(
        "PATCH /api/v1/priorities/{id}/",
        "PATCH",
        lambda r, o: "allowed" if r in {"office", "dg"} else "403",
        API_PRIORITY,
    ),
    Row("GET /api/v1/reports/", "GET", everyone),
    Row("POST /api/v1/reports/", "POST", lambda r, o: "allowed"),
    Row("GET /api/v1/reports/{id}/", "GET", unit_read, API_IDS["report"]),
    Row(
        "PATCH /api/v1/reports/{id}/",
        "PATCH",
        lambda r, o: "404" if r not in SEES[o] else ("allowed" if r in EDITORS[o] else "denied"),
        API_IDS["report"],
    ),
    # A's report is accepted: its state refuses a submission (409) before anyone's role is looked at.
    Row(
        "POST /api/v1/reports/{id}/submit/",
        "POST",
        lambda r, o: "404" if r not in SEES[o] else "rejected" if o == "A" else ("allowed" if r in HEADS[o] else "403"),
        API_IDS["report"],
    ),
    *[
        Row(
            f"POST /api/v1/reports/{{id}}/{a}/",
            "POST",
            lambda r, o: "404" if r not in SEES[o] else ("allowed" if r == "office" else "403"),
            API_IDS["report"],
        )
        for a in ("return", "accept")
    ],
    Row("POST /api/v1/reports/{id}/attachments/", "POST", unit_write, API_IDS["report"]),
    Row("POST /api/v1/reports/{id}/review-items/{flag}/comments/", "POST", discuss, API_FLAG),
    Row(
        "POST /api/v1/reports/{id}/extension/",
        "POST",
        lambda r, o: "404" if r not in SEES[o] else ("allowed" if r == "office" else "403"),
        API_IDS["report"],
    ),
    Row("GET /api/v1/roadmaps/", "GET", everyone),
    Row("GET /api/v1/roadmaps/{year}/", "GET", roadmap_read, ROADMAPS),
    # Compared with version 1; the draft has no approved version to compare with (404 past the 403).
    Row(
        "GET /api/v1/roadmaps/{year}/diff/",
        "GET",
        lambda r, o: ("ok" if o == "approved" else "404") if r in OFFICE else "403",
        ROADMAPS,
        query="from=1",
    ),
    *[
        Row(
            f"POST /api/v1/roadmaps/{{year}}/{a}/",
            "POST",
            (lambda who: lambda r, o: "allowed" if r == who else ("403" if o == "approved" or r in OFFICE else "404"))(  # noqa: B023
                who
            ),
            ROADMAPS,
        )
        for a, who in (("approve", "dg"), ("return", "dg"), ("propose", "office"), ("new-version", "office"))
    ],
    Row("POST /api/v1/roadmaps/{year}/compile/", "POST", lambda r, o: "allowed" if r == "office" else "403", ROADMAPS),
]

ROWS = {(row.key, row.method): row for row in WEB_ROWS + API_ROWS}


# ---------------------------------------------------------------- what the project serves


def web_url_names():
    """Every named page of the URL configuration, except the API (from the schema) and Django's admin."""

    def walk(patterns, namespace, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin" or str(pattern.pattern).startswith("api/v1/"):
                    continue
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                yield from walk(pattern.url_patterns, inner, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return sorted(set(walk(get_resolver().url_patterns, "", "")))


def api_operations():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (f"{method.upper()} {path}", method.upper())
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    )


def test_every_page_and_endpoint_has_a_row():
    web = {row.key for row in WEB_ROWS}
    missing = [name for name in web_url_names() if name not in web]
    missing += [key for key, method in api_operations() if (key, method) not in ROWS]
    assert not missing, f"pages or endpoints without a row in the authorization matrix: {missing}"


# ---------------------------------------------------------------- the cells


def category(response, api):
    code = response.status_code
    if code >= 500:
        return "5xx"
    if code in (301, 302) and "/login/" in response.get("Location", ""):
        return "login"
    if code in (401, 403, 404):
        return str(code)
    return "ok" if code < 400 else "rejected"  # 400/405/409/412/428: past authorization


def matches(expected, actual):
    if expected == "any":
        return actual != "5xx"
    if expected == "allowed":
        return actual in ("ok", "rejected")
    if expected == "denied":
        return actual in ("403", "404")
    return expected == actual


def _path(row, kwargs):
    from django.urls import reverse

    if row.key.split(" ")[0] in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        path = row.key.split(" ", 1)[1]
        return re.sub(r"{(\w+)}", lambda m: str(kwargs[m.group(1)]), path)
    return reverse(row.key, kwargs=kwargs or None)


def _clients(users):
    clients = {}
    for role in [r for r in ROLES if r == "anon" or r in users]:
        web, api = Client(raise_request_exception=False), APIClient(raise_request_exception=False)
        if role != "anon":
            web.force_login(users[role])
            api.force_authenticate(users[role])
        clients[role] = (web, api)
    return clients


def cells():
    """Every (row, variant, object, role) of the matrix."""
    for row in ROWS.values():
        for variant in row.variants:
            for obj in row.objects:
                for role in ROLES:
                    yield row, variant, obj, role


@pytest.fixture
def world(db):
    with time_machine.travel("2022-11-15 10:00 +01:00", tick=False):
        yield world_module.build()


def test_the_matrix(world, settings):
    settings.DEBUG = False
    clients = _clients(world.users)
    wrong, count = [], 0
    with time_machine.travel("2022-11-15 10:00 +01:00", tick=False):
        for row, variant, obj, role in cells():
            api = row.key.startswith(("GET /", "POST /", "PUT /", "PATCH /", "DELETE /"))
            kwargs = {**row.objects[obj](world), **variant} if obj in row.objects and row.objects[obj] else {**variant}
            path = _path(row, kwargs) + (f"?{row.query}" if row.query else "")
            if role == "anon":
                expected = row.anon or ("401" if api else "login")
            else:
                expected = row.rule(role, obj)
            web, api_client = clients[role]
            client = api_client if api else web
            if row.key == "logout":  # would log the shared client out for the next rows
                client = _clients({role: world.users.get(role)} if role != "anon" else {})[role][0]
            # Each request in its own rolled-back block: a view that marks the transaction for rollback
            # (DRF does on an error) then spoils only its own block, not the next cells.
            with transaction.atomic():
                if row.method == "GET":
                    response = client.get(path)
                elif api:
                    response = client.generic(row.method, path, "{}", content_type="application/json")
                else:
                    response = client.generic(row.method, path, "", content_type="application/x-www-form-urlencoded")
                transaction.set_rollback(True)
            count += 1
            actual = category(response, api)
            if not matches(expected, actual):
                wrong.append(f"{row.method} {path} as {role} ({obj}): expected {expected}, got {response.status_code}")
    print(f"authorization matrix: {count} cells (URL × role × object)")
    assert not wrong, f"{len(wrong)} of {count} cells differ:\n" + "\n".join(wrong)
