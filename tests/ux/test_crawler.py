"""Every URL of the URL configuration × every role × French, Arabic and English: no server error.

The world holds a whole year for two units (A: accepted report with an attachment, approved roadmap,
progress, an import; B: a submitted report, its own objectives and import), so each URL that takes an
object is visited with an object of the visitor's own unit and one of the other unit. GETs run in the
three languages; POSTs (empty body: the worst a form can send) run once per role, each rolled back.

A URL pattern added without telling the crawler how to fill its parameters fails the test
(``PARAMETERS`` below): a new page cannot escape the crawl.

Chromium visits the main pages separately (tests/browser/test_main_pages.py).
"""

import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from directorates.models import Deliverable
from figures import services as figure_services
from notifications import services as notification_services
from notifications.models import Delivery
from reviews import services as review_services
from reviews.models import Attachment, Report, ReportEvent, ReviewItem
from roadmap import services as roadmap_services
from roadmap.models import Milestone, Objective
from transfers import services as transfer_services
from transfers.models import ImportJob

LANGUAGES = [code for code, _ in settings.LANGUAGES]
ROLES = ["anonymous", "bob", "alice", "charlie", "olga", "dino", "root"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url_patterns(resolver=None, prefix="", namespace=""):
    """(name, route, pattern) for every pattern of the URL configuration, depth first."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from url_patterns(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield namespace + (pattern.name or ""), prefix + str(pattern.pattern), pattern


def parameters_of(pattern):
    return sorted(pattern.pattern.regex.groupindex)


# ----------------------------------------------------------------------------- the world


class World:
    """Objects of unit A (the visitor's own, for unit people) and unit B (another unit)."""

    def __init__(self, *, unit_a, unit_b, alice, bob, charlie, olga, dino):
        self.units = {"own": unit_a, "other": unit_b}
        self.flag = ReviewItem.objects.get(report__directorate=unit_b)
        self.reports = {
            "own": Report.objects.get(directorate=unit_a, cycle__year=2022),
            "other": Report.objects.get(directorate=unit_b, cycle__year=2022),
        }
        self.deliverables = {
            k: Deliverable.objects.filter(directorate=u).order_by("year", "pk").first() for k, u in self.units.items()
        }
        self.attachments = {
            k: Attachment.objects.filter(outcome__report=r).first() or Attachment.objects.first()
            for k, r in self.reports.items()
        }
        self.objectives = {k: Objective.objects.filter(owner=u).order_by("pk").first() for k, u in self.units.items()}
        self.milestones = {
            k: Milestone.objects.filter(objective=o).order_by("pk").first() for k, o in self.objectives.items()
        }
        self.imports = {
            "own": ImportJob.objects.filter(created_by=bob).first(),
            "other": ImportJob.objects.filter(created_by=charlie).first(),
        }
        self.deliveries = {
            "own": Delivery.objects.filter(recipient=alice).first(),
            "other": Delivery.objects.filter(recipient=olga).first(),
        }


def _code(w, side):
    return {"code": w.units[side].code}


# How to fill the parameters of each named URL: name → function(world, side) → kwargs, or a list of
# kwargs (each visited). Names whose parameters are all listed in GENERIC need no entry.
PARAMETERS = {
    "directorates:cahier": _code,
    "directorates:cahier_year": lambda w, s: {"code": w.units[s].code, "year": 2022},
    "directorates:deliverable_add": lambda w, s: {"code": w.units[s].code, "year": 2022},
    "directorates:deliverable_edit": lambda w, s: {
        "code": w.units[s].code,
        "year": w.deliverables[s].year,
        "pk": w.deliverables[s].pk,
    },
    "directorates:deliverable_delete": lambda w, s: {
        "code": w.units[s].code,
        "year": w.deliverables[s].year,
        "pk": w.deliverables[s].pk,
    },
    "directorates:unit_history": _code,
    "figures:report_figures": lambda w, s: {"pk": w.reports[s].pk},
    "figures:unit_dashboard": _code,
    "figures:unit_figures": lambda w, s: {"code": w.units[s].code, "year": 2022},
    "figures:bilan_download": lambda w, s: [{"year": 2022, "fmt": "pdf"}, {"year": 2022, "fmt": "xlsx"}],
    "figures:bilan_action": lambda w, s: [{"year": 2022, "action": a} for a in ("start", "approve")],
    "figures:bilan_public_download": lambda w, s: [{"year": 2022, "fmt": "pdf"}, {"year": 2022, "fmt": "xlsx"}],
    "transfers:import_retry": lambda w, s: {"pk": w.imports[s].pk},
    "report-review-item-comments": lambda w, s: {"pk": w.reports[s].pk, "flag": w.flag.pk},
    "api-token-detail": lambda w, s: {"token_id": "0123456789abcdef"},
    "reviews:report_detail": lambda w, s: {"pk": w.reports[s].pk},
    "reviews:report_edit": lambda w, s: {"pk": w.reports[s].pk},
    "reviews:report_history": lambda w, s: {"pk": w.reports[s].pk},
    "reviews:report_transition": lambda w, s: [
        {"pk": w.reports[s].pk, "action": a} for a in ("submit", "return", "accept", "ready")
    ],
    "reviews:report_extend": lambda w, s: {"pk": w.reports[s].pk},
    "reviews:report_start": lambda w, s: {"code": w.units[s].code, "year": 2022},
    "reviews:attachment_download": lambda w, s: {"pk": w.attachments[s].pk},
    "reviews:review_item_comment": lambda w, s: {"pk": w.reports[s].pk, "flag": w.flag.pk},
    "reviews:attachment_delete": lambda w, s: {"pk": w.attachments[s].pk},
    "roadmap:detail": lambda w, s: [{"year": 2023}, {"year": 2024}],
    "roadmap:diff": lambda w, s: {"year": 2023},
    "roadmap:objective_new": lambda w, s: {"year": 2023},
    "roadmap:action": lambda w, s: [{"year": 2023, "action": a} for a in ("compile", "propose", "new-version")],
    "roadmap:objective_detail": lambda w, s: {"pk": w.objectives[s].pk},
    "roadmap:objective_edit": lambda w, s: {"pk": w.objectives[s].pk},
    "roadmap:objective_action": lambda w, s: [
        {"pk": w.objectives[s].pk, "action": a} for a in ("drop", "restore", "merge", "split")
    ],
    "roadmap:progress": lambda w, s: {"pk": w.milestones[s].pk},
    "roadmap:briefing": lambda w, s: {"year": 2022, "code": w.units[s].code},
    "roadmap:compstat_unit": lambda w, s: {"year": 2022, "code": w.units[s].code},
    "roadmap:briefing_all": lambda w, s: {"year": 2022},
    "roadmap:meeting_action": lambda w, s: [{"year": 2022, "action": a} for a in ("build", "move", "attendance")],
    "notifications:open": lambda w, s: {"pk": w.deliveries[s].pk},
    "notifications:resend": lambda w, s: {"pk": w.deliveries[s].pk},
    "transfers:import_new": lambda w, s: [{"kind": k} for k in ("deliverables", "figures", "units")],
    "transfers:import_template": lambda w, s: [{"kind": "deliverables", "fmt": f} for f in ("xlsx", "csv")],
    "transfers:import_detail": lambda w, s: {"pk": w.imports[s].pk},
    "transfers:import_status": lambda w, s: {"pk": w.imports[s].pk},
    "transfers:import_confirm": lambda w, s: {"pk": w.imports[s].pk},
    "transfers:import_file": lambda w, s: {"pk": w.imports[s].pk},
    "transfers:export": lambda w, s: [{"kind": k, "fmt": "xlsx"} for k in ("deliverables", "reports", "objectives")],
    # The API (DRF router names).
    "directorate-detail": _code,
    "deliverable-detail": lambda w, s: {"pk": w.deliverables[s].pk},
    "cycle-detail": lambda w, s: {"year": 2022},
    "report-detail": lambda w, s: {"pk": w.reports[s].pk},
    "report-accept": lambda w, s: {"pk": w.reports[s].pk},
    "report-attachments": lambda w, s: {"pk": w.reports[s].pk},
    "report-return-": lambda w, s: {"pk": w.reports[s].pk},
    "report-extension": lambda w, s: {"pk": w.reports[s].pk},
    "report-submit": lambda w, s: {"pk": w.reports[s].pk},
    "attachment-detail": lambda w, s: {"pk": w.attachments[s].pk},
    "priority-detail": lambda w, s: {"pk": w.objectives[s].priority_id or 1},
    "objective-detail": lambda w, s: {"pk": w.objectives[s].pk},
    "objective-drop": lambda w, s: {"pk": w.objectives[s].pk},
    "objective-merge": lambda w, s: {"pk": w.objectives[s].pk},
    "objective-split": lambda w, s: {"pk": w.objectives[s].pk},
    "milestone-progress": lambda w, s: {"pk": w.milestones[s].pk},
    "indicator-detail": lambda w, s: {"code": "cases_handled"},
    "figure-detail": lambda w, s: {"pk": 1},
    "delivery-resend": lambda w, s: {"pk": w.deliveries[s].pk},
}
# Parameters with one obvious value whatever the page.
GENERIC = {"year": 2023, "format": "json"}
# Patterns the crawler leaves to their own tests, with the reason.
SKIPPED = {
    "logout": "ends the session the crawl is using (tested in tests/test_navigation_menus.py)",
}
ADMIN_PREFIX = "admin:"


def _targets(world):
    """(name, url, pattern) for every pattern; fails on a pattern the crawler cannot fill."""
    unresolved, targets = [], []
    for name, route, pattern in url_patterns():
        if name in SKIPPED:
            continue
        params = parameters_of(pattern)
        if name.startswith(ADMIN_PREFIX):
            continue  # crawled by test_the_admin_answers_every_role
        if pattern.pattern.regex.groups != len(params):
            unresolved.append(f"{name} ({route}): unnamed groups")
            continue
        if not params:
            targets.append((name, "own", reverse(name)))
            continue
        fill = PARAMETERS.get(name)
        if fill is None and not set(params) <= set(GENERIC):
            unresolved.append(f"{name} ({route})")
            continue
        for side in ("own", "other"):
            produced = fill(world, side) if fill else {}
            for kwargs in produced if isinstance(produced, list) else [produced]:
                kwargs = {**{p: GENERIC[p] for p in params if p in GENERIC and p not in kwargs}, **kwargs}
                kwargs = {p: v for p, v in kwargs.items() if p in params}
                targets.append((name, side, reverse(name, kwargs=kwargs)))
    assert not unresolved, f"the crawler cannot fill these URL patterns; add them to PARAMETERS: {unresolved}"
    unique = {}
    for name, side, url in targets:
        unique.setdefault(url, (name, side, url))  # a URL that does not depend on the unit: visited once
    return sorted(unique.values())


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture
def world(
    approved,
    accepted_report,
    unit_a,
    unit_b,
    alice,
    bob,
    charlie,
    olga,
    dino,
    root,
    cycle,
    django_capture_on_commit_callbacks,
):
    from tests.factories import DeliverableFactory

    for person, first, last in (
        (alice, "Alice", "Amrani"),
        (bob, "Bob", "Berrada"),
        (charlie, "Charlie", "Chraibi"),
        (olga, "Olga", "Ouazzani"),
        (dino, "Dino", "Dahbi"),
    ):
        person.first_name, person.last_name = first, last
        person.save()
    DeliverableFactory(directorate=unit_b, year=2022, title="Vidéosurveillance urbaine")
    with django_capture_on_commit_callbacks(execute=True):
        report_b = review_services.report_start(actor=charlie, cycle=cycle, directorate=unit_b)
        review_services.report_update(
            actor=charlie,
            report=report_b,
            outcomes={o.deliverable_id: {"status": "done"} for o in report_b.outcomes.all()},
        )
        review_services.report_submit(actor=charlie, report=report_b)
        # B's report comes back with a flagged outcome and an answer: its pages show the checklist and thread
        review_services.report_return(
            actor=olga,
            report=report_b,
            comment="À revoir",
            items=[{"kind": "outcome", "id": report_b.outcomes.first().deliverable_id, "comment": "Preuve manquante"}],
        )
        review_services.review_item_comment(actor=charlie, item=report_b.review_items.get(), text="Jointe")
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reviews.models import Outcome

    Report.objects.filter(pk=accepted_report.pk).update(state="draft")  # attachments go on an editable report
    outcome = Outcome.objects.filter(report=accepted_report).first()
    review_services.attachment_add(
        actor=bob, outcome=outcome, uploaded_file=SimpleUploadedFile("pv.pdf", PDF, content_type="application/pdf")
    )
    Report.objects.filter(pk=accepted_report.pk).update(state="accepted")
    objective = Objective.objects.filter(owner=unit_a).first()
    roadmap_services.progress_record(actor=alice, milestone=objective.milestones.first(), value=10)
    roadmap_services.meeting_build(actor=olga, cycle=cycle)
    figure_services.bilan_start(actor=olga, year=2022)
    for person in (bob, charlie):
        code = person.memberships.first().directorate.code
        rows = f"unit_code,year,title,category,due_date\n{code},2022,Import,operations,2022-12-31\n"
        with django_capture_on_commit_callbacks(execute=True):
            transfer_services.import_start(
                actor=person,
                kind_key="deliverables",
                year=2022,
                uploaded_file=SimpleUploadedFile("cahier.csv", rows.encode()),
            )
    with django_capture_on_commit_callbacks(execute=True):
        for event in ReportEvent.objects.all():
            notification_services.event_notify(source="report", event_id=event.pk)
    return World(unit_a=unit_a, unit_b=unit_b, alice=alice, bob=bob, charlie=charlie, olga=olga, dino=dino)


def _client(role, request, language):
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


# ----------------------------------------------------------------------------- the crawl


@pytest.fixture
def quiet_request_log():
    """4xx answers are expected by the thousand here: their log lines would only slow the crawl."""
    import logging

    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


class _VisibleText(HTMLParser):
    """The text a reader sees or hears in a page's body: text nodes and the labelling attributes."""

    HIDDEN = {"head", "title", "script", "style", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.texts = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        hidden = tag in self.HIDDEN or bool(attrs.get("lang"))  # lang="fr": a name written in its own language
        for name in ("placeholder", "aria-label", "title", "alt"):
            if attrs.get(name) and not hidden and not any(h for _, h in self.stack):
                self.texts.add(attrs[name].strip())
        if tag not in self.VOID:
            self.stack.append((tag, hidden))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if data.strip() and not any(hidden for _, hidden in self.stack):
            self.texts.add(" ".join(data.split()))


def _untranslated_catalogue():
    """Texts that must not appear as such in an Arabic page: each plain message of the project's catalogue
    whose Arabic differs, in English (its msgid) and in French — what a page would show had it not been
    translated, or been written in French (a stored message, a string formatted in the wrong language).
    Read from the compiled catalogues with the standard library's gettext."""
    import gettext

    def catalogue(language):
        with open(settings.LOCALE_PATHS[0] / language / "LC_MESSAGES" / "django.mo", "rb") as handle:
            return {k: v for k, v in gettext.GNUTranslations(handle)._catalog.items() if isinstance(k, str) and k}

    french, arabic = catalogue("fr"), catalogue("ar")
    wrong = {}
    for msgid, translated in arabic.items():
        if "%" in msgid or "{" in msgid:
            continue
        text = " ".join(msgid.split())
        if len(text) < 4 or not re.search(r"[A-Za-z]{3}", text):
            continue
        for candidate in (text, " ".join(french.get(msgid, "").split())):
            if candidate and candidate != " ".join(translated.split()):
                wrong[candidate] = msgid
    return wrong


def test_every_url_answers_every_role_in_every_language_without_a_server_error(
    world, request, frozen_2023, quiet_request_log
):
    targets = _targets(world)
    failures, statuses, visits = [], Counter(), 0
    # No text left untranslated: every Arabic HTML page is read for English or French interface messages.
    wrong, untranslated, read = _untranslated_catalogue(), set(), 0
    for role in ROLES:
        clients = {language: _client(role, request, language) for language in LANGUAGES}
        for name, _side, url in targets:
            # API answers are JSON whatever the language (only error wording changes): one language there.
            for language in LANGUAGES if url.startswith("/api/docs") or not url.startswith("/api/") else ["en"]:
                with transaction.atomic():  # an API error marks its block for rollback (DRF): this one only
                    response = clients[language].get(url)
                visits += 1
                statuses[response.status_code // 100] += 1
                if response.status_code >= 500:
                    failures.append(f"GET {url} as {role} in {language}: {response.status_code}")
                if (
                    language == "ar"
                    and response.status_code == 200
                    and response.get("Content-Type", "").startswith("text/html")
                    and not getattr(response, "streaming", False)
                ):
                    parser = _VisibleText()
                    parser.feed(response.content.decode())
                    read += 1
                    untranslated |= {f"{name}: {text!r}" for text in parser.texts if text in wrong}
            # The worst a form can send: nothing. Rolled back so the next visit sees the same world.
            with transaction.atomic():
                response = clients["fr"].post(url, {})
                visits += 1
                if response.status_code >= 500:
                    failures.append(f"POST {url} as {role}: {response.status_code}")
                transaction.set_rollback(True)
    print(
        f"\ncrawler: {len(targets)} URLs × {len(ROLES)} roles × {len(LANGUAGES)} languages (+ POST): "
        f"{visits} requests, by status class {dict(sorted(statuses.items()))}"
    )
    assert not failures, "\n".join(failures[:40])
    print(f"crawler: {read} Arabic pages read for untranslated text")
    assert read > 50
    assert not untranslated, "English or French interface text in Arabic pages:\n" + "\n".join(sorted(untranslated))


def test_the_admin_answers_every_role(world, request, frozen_2023, quiet_request_log):
    """Every admin page (index, app lists, each model's list, add, change, delete and history pages)."""
    from django.apps import apps
    from django.contrib import admin

    failures, visits = [], 0
    urls = []
    for name, route, pattern in url_patterns():
        if not name.startswith(ADMIN_PREFIX):
            continue
        params = parameters_of(pattern)
        if name == ADMIN_PREFIX:
            continue  # unnamed: the admin's own redirects from an object's bare URL to its change page
        positional = pattern.pattern.regex.groups and not params  # simple-history's (object, history row)
        if positional:
            params = ["object_id", "history_id"]
        if not params:
            urls.append(reverse(name))
            continue
        match = re.match(r"admin:(\w+?)_(\w+)_(change|delete|history|simple_history|config|qrcode)$", name)
        if name == "admin:app_list":
            urls += [
                reverse(name, kwargs={"app_label": a.label})
                for a in apps.get_app_configs()
                if any(admin.site.is_registered(m) for m in a.get_models())
            ]
            continue
        if match:
            model = next(
                (m for m in apps.get_models() if m._meta.app_label == match[1] and m._meta.model_name == match[2]), None
            )
            obj = model.objects.order_by("pk").first() if model else None
            if obj is None:
                continue
            kwargs = {"object_id": obj.pk, "pk": obj.pk}
            if "history_id" in params:
                history = getattr(obj, "history", None)
                row = history.order_by("history_id").first() if history is not None else None
                if row is None:
                    continue
                kwargs["history_id"] = row.history_id
            if positional:
                urls.append(reverse(name, args=[kwargs["object_id"], kwargs["history_id"]]))
            else:
                urls.append(reverse(name, kwargs={k: v for k, v in kwargs.items() if k in params}))
            continue
        if name in (
            "admin:view_on_site",
            "admin:password_change",
            "admin:auth_user_password_change",
            "admin:directorates_user_password_change",
        ):
            continue
        assert params == ["url"], f"the crawler cannot fill the admin pattern {name} {route}"
    for role in ("anonymous", "alice", "olga", "root"):
        client = _client(role, request, "fr")
        for url in urls:
            response = client.get(url)
            visits += 1
            if response.status_code >= 500:
                failures.append(f"GET {url} as {role}: {response.status_code}")
    print(f"\nadmin crawl: {len(urls)} URLs × 4 roles: {visits} requests")
    assert not failures, "\n".join(failures[:40])


@pytest.fixture
def frozen_2023():
    """Mid-2023: the 2023 roadmap is in force, its first milestones near."""
    import time_machine

    with time_machine.travel("2023-05-15 10:00 +01:00", tick=False):
        yield


def test_a_pattern_the_crawler_cannot_fill_fails(world):
    """The guard itself: a pattern with an unknown parameter is reported, not silently skipped."""
    saved = PARAMETERS.pop("roadmap:progress")
    try:
        with pytest.raises(AssertionError, match="roadmap:progress"):
            _targets(world)
    finally:
        PARAMETERS["roadmap:progress"] = saved


def test_the_untranslated_text_check_sees_english_and_french_interface_text():
    """The guard itself: an interface message left in English or written in French is caught, Arabic is not."""
    from django.utils import translation

    wrong = _untranslated_catalogue()
    with translation.override("fr"):
        french = translation.gettext("Save draft")
    with translation.override("ar"):
        arabic = translation.gettext("Save draft")
    parser = _VisibleText()
    parser.feed(
        f"<html><head><title>Save draft</title></head><body><button>Save draft</button><p>{french}</p>"
        f'<span>{arabic}</span><input placeholder="Search"><option lang="fr">Français</option></body></html>'
    )
    assert {text for text in parser.texts if text in wrong} == {"Save draft", french, "Search"}
