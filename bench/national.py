"""A seeded national-scale data set, shared by ``make bench`` and ``make load``.

``build(units=546, seed=12)`` fills an empty database with:

- a 4-level tree: the directorate-general, regions (security prefectures), provincial commands and
  district units under them (``units`` in all);
- about 2.75 people per unit (1,500 at 546 units): a head and an editor everywhere, a second editor in
  three units of four, plus the DG's office (``office``) and the DG (``dg``); every password is ``bench``;
- last year's review cycle, closed, its reports locked: 40 deliverables per unit with outcomes (a third
  done, a third partly done, a third not done) and a constraint needing action;
- this year's roadmap compiled from it (about 27 objectives per unit: 14,500 at 546 units) through
  ``roadmap.services``, with two milestones per objective, approved by the DG — which hands the
  objectives over as this year's cahier des charges — and progress recorded on half the milestones;
- this year's cycle, open, with reports in every state (draft, submitted, returned, accepted) and a
  few units that have not started;
- five years of figures for every unit and indicator of the catalogue.

Everything derives from ``seed``: two runs build the same rows. Bulk writes are used where the
services would take minutes; the steps whose cost the benchmarks measure go through the services.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from directorates.models import Deliverable, Directorate, Membership, User
from figures.catalogue import INDICATORS
from figures.demo import derived_indicators
from figures.models import Figure, Indicator, Rollup
from reviews.models import Outcome, Report, ReportConstraint, ReportEvent, ReviewCycle
from roadmap import services as roadmap_services
from roadmap.models import Milestone, Objective, Priority, ProgressUpdate, Roadmap

PASSWORD = "bench"
DELIVERABLES_LAST_YEAR = 40
OUTCOME_CYCLE = [Outcome.Status.DONE, Outcome.Status.PARTIAL, Outcome.Status.NOT_DONE]
THIS_YEAR_STATES = (
    [Report.State.DRAFT] * 4 + [Report.State.SUBMITTED] * 3 + [Report.State.RETURNED] + [Report.State.ACCEPTED] * 2
)


def years():
    this_year = timezone.localdate().year
    return this_year - 1, this_year


def _tree(n):
    """Codes and parents of ``n`` units in four levels: 1 root, regions, provincial commands, districts."""
    regions = max(2, round(n / 45))
    provincials = regions * 5
    districts = n - 1 - regions - provincials
    assert districts > 0, "at least ~20 units"
    rows = [("DGSN", None, Directorate.Kind.CENTRAL_DIRECTORATE)]
    rows += [(f"R{r:02d}", "DGSN", Directorate.Kind.SECURITY_PREFECTURE) for r in range(regions)]
    rows += [
        (f"R{p % regions:02d}-P{p:03d}", f"R{p % regions:02d}", Directorate.Kind.PROVINCIAL_SECURITY)
        for p in range(provincials)
    ]
    parents = [code for code, _parent, kind in rows if kind == Directorate.Kind.PROVINCIAL_SECURITY]
    rows += [
        (f"{parents[d % len(parents)]}-D{d:03d}", parents[d % len(parents)], Directorate.Kind.REGIONAL_SECURITY)
        for d in range(districts)
    ]
    return rows


def _depth(code):
    return 0 if code == "DGSN" else 1 + code.count("-")


def _units(n):
    by_code = {}
    rows = _tree(n)
    for depth in range(4):  # parents first, so each path is known
        created = Directorate.objects.bulk_create(
            [
                Directorate(
                    code=code,
                    kind=kind,
                    parent=by_code.get(parent),
                    path=f"{by_code[parent].path if parent else ''}{code}/",
                    name_fr=f"Unité {code}",
                    name_ar=f"الوحدة {code}",
                    name_en=f"Unit {code}",
                )
                for code, parent, kind in rows
                if _depth(code) == depth
            ]
        )
        by_code.update({u.code: u for u in created})
    units = list(Directorate.objects.order_by("path"))
    assert len(units) == n, (len(units), n)
    return units


def _people(units, rng):
    password = make_password(PASSWORD)
    users, roles = [], []
    for i, unit in enumerate(units):
        code = unit.code.lower()
        people = [("head", Membership.Role.HEAD), ("editor", Membership.Role.EDITOR)]
        if i % 4:
            people.append(("editor2", Membership.Role.EDITOR))
        for prefix, role in people:
            users.append(
                User(
                    username=f"{prefix}.{code}",
                    password=password,
                    email=f"{prefix}.{code}@dgsn.local",
                    language=rng.choice(["fr", "fr", "ar", "en"]),
                )
            )
            roles.append((unit, role))
    users = User.objects.bulk_create(users)
    Membership.objects.bulk_create(
        [Membership(user=u, directorate=unit, role=role) for u, (unit, role) in zip(users, roles, strict=True)]
    )
    office = User.objects.create(
        username="office", password=password, org_role=User.OrgRole.REVIEWER, email="office@dgsn.local"
    )
    dg = User.objects.create(username="dg", password=password, org_role=User.OrgRole.APPROVER, email="dg@dgsn.local")
    _grant_rights(office, dg)
    return office, dg


def _grant_rights(office, dg):
    """The office and the DG get the rights a data migration gives their former roles (rights per person)."""
    from directorates import permissions as unit_permissions
    from figures import permissions as figure_permissions
    from reviews import permissions as review_permissions
    from roadmap import permissions as roadmap_permissions

    unit_permissions.join(office, unit_permissions.GROUPS)
    unit_permissions.join(office, review_permissions.GROUPS)
    unit_permissions.join(office, roadmap_permissions.GROUPS, roadmap_permissions.PREPARE_ROADMAP)
    unit_permissions.join(office, figure_permissions.GROUPS, figure_permissions.PREPARE_BILAN)
    unit_permissions.join(dg, roadmap_permissions.GROUPS, roadmap_permissions.APPROVE_ROADMAP)
    unit_permissions.join(dg, figure_permissions.GROUPS, figure_permissions.APPROVE_BILAN)


def _last_year(units, year, office, rng):
    cycle = ReviewCycle.objects.create(
        year=year, submission_deadline=datetime.date(year, 12, 9), meeting_date=datetime.date(year, 12, 22)
    )
    Deliverable.objects.bulk_create(
        [
            Deliverable(
                directorate=u,
                year=year,
                title=f"Livrable {i} de {u.code}",
                category="operations",
                due_date=datetime.date(year, 1 + i % 12, 28),
                target_quantity=10 + i,
                target_unit="unités",
            )
            for u in units
            for i in range(DELIVERABLES_LAST_YEAR)
        ],
        batch_size=2000,
    )
    now = timezone.now()
    Report.objects.bulk_create(
        [
            Report(
                cycle=cycle,
                directorate=u,
                state=Report.State.ACCEPTED,
                summary=f"Bilan {year} de {u.code}",
                submitted_at=now,
                first_submitted_at=now,
            )
            for u in units
        ]
    )
    reports = {r.directorate_id: r for r in Report.objects.filter(cycle=cycle)}
    outcomes = []
    for i, (pk, unit_id) in enumerate(
        Deliverable.objects.filter(year=year).order_by("id").values_list("pk", "directorate_id")
    ):
        status = OUTCOME_CYCLE[(i + rng.randrange(3)) % 3]
        outcomes.append(
            Outcome(
                report=reports[unit_id],
                deliverable_id=pk,
                status=status,
                percent_done={"done": 100, "partial": rng.randint(10, 90)}.get(status),
                comment="Commentaire" if i % 5 == 0 else "",
            )
        )
    Outcome.objects.bulk_create(outcomes, batch_size=2000)
    ReportConstraint.objects.bulk_create(
        [
            ReportConstraint(
                report=r,
                category="budget",
                description="Crédits insuffisants",
                remedy="Dotation complémentaire",
                needs_action=True,
            )
            for r in reports.values()
        ]
    )
    priorities = [
        Priority.objects.create(
            cycle=cycle, code=f"P{i}", title_fr=f"Priorité {i} du DG", text_fr="Texte de la priorité"
        )
        for i in range(5)
    ]
    for i, priority in enumerate(priorities):
        priority.owners.set(units[i :: len(priorities)][:40])
    return cycle


def close_cycle(cycle):
    """Lock every report of the cycle (what closing does), without the per-report events."""
    Report.objects.filter(cycle=cycle).update(state=Report.State.LOCKED)
    ReviewCycle.objects.filter(pk=cycle.pk).update(state=ReviewCycle.State.CLOSED, closed_at=timezone.now())


def _roadmap(cycle, office, dg, rng):
    roadmap, _created = roadmap_services.roadmap_compile(actor=office, cycle=cycle)
    year = roadmap.year
    objectives = list(Objective.objects.filter(roadmap=roadmap).values_list("pk", flat=True))
    milestones = []
    for pk in objectives:
        first = rng.randint(2, 9)
        milestones.append(
            Milestone(
                objective_id=pk,
                title="Première phase",
                quarter=None,
                position=0,
                due_date=datetime.date(year, first, 15),
                target_value=50,
            )
        )
        milestones.append(
            Milestone(
                objective_id=pk,
                title="Achèvement",
                quarter=4,
                position=1,
                due_date=datetime.date(year, 12, 31),
                target_value=100,
            )
        )
    Milestone.objects.bulk_create(milestones, batch_size=5000)
    roadmap_services.roadmap_propose(actor=office, roadmap=Roadmap.objects.get(pk=roadmap.pk))
    roadmap_services.roadmap_approve(actor=dg, roadmap=Roadmap.objects.get(pk=roadmap.pk))
    heads = dict(Membership.objects.filter(role=Membership.Role.HEAD).values_list("directorate_id", "user_id"))
    today = timezone.localdate()
    updates = []
    for m in Milestone.objects.filter(objective__roadmap=roadmap).select_related("objective").order_by("id"):
        if rng.random() < 0.5:
            day = min(today, m.due_date) - datetime.timedelta(days=rng.randint(1, 40))
            value = m.target_value * Decimal(rng.choice(["0.3", "0.6", "1"]))
            updates.append(
                ProgressUpdate(
                    milestone=m,
                    value=value,
                    recorded_on=day,
                    comment="Avancement",
                    recorded_by_id=heads[m.objective.owner_id],
                )
            )
    ProgressUpdate.objects.bulk_create(updates, batch_size=5000)
    roadmap_services.milestones_keep_latest_progress(Milestone.objects.filter(objective__roadmap=roadmap))
    return roadmap


def _this_year(units, year, office, rng):
    cycle = ReviewCycle.objects.create(
        year=year, submission_deadline=datetime.date(year, 12, 9), meeting_date=datetime.date(year, 12, 22)
    )
    editors = dict(Membership.objects.filter(role=Membership.Role.EDITOR).values_list("directorate_id", "user_id"))
    heads = dict(Membership.objects.filter(role=Membership.Role.HEAD).values_list("directorate_id", "user_id"))
    now = timezone.now()
    started = [u for i, u in enumerate(units) if i % 20 != 7]  # one unit in twenty has not started
    states = {u.pk: THIS_YEAR_STATES[i % len(THIS_YEAR_STATES)] for i, u in enumerate(started)}
    Report.objects.bulk_create(
        [
            Report(
                cycle=cycle,
                directorate=u,
                state=states[u.pk],
                summary="",
                submitted_at=now if states[u.pk] != Report.State.DRAFT else None,
                first_submitted_at=now if states[u.pk] != Report.State.DRAFT else None,
            )
            for u in started
        ]
    )
    reports = list(Report.objects.filter(cycle=cycle))
    by_unit = {r.directorate_id: r for r in reports}
    outcomes = []
    for i, (pk, unit_id) in enumerate(
        Deliverable.objects.filter(year=year).order_by("id").values_list("pk", "directorate_id")
    ):
        report = by_unit.get(unit_id)
        if report is None:
            continue
        filled = report.state != Report.State.DRAFT or i % 2
        status = OUTCOME_CYCLE[i % 3] if filled else ""
        outcomes.append(
            Outcome(
                report=report, deliverable_id=pk, status=status, percent_done={"done": 100, "partial": 50}.get(status)
            )
        )
    Outcome.objects.bulk_create(outcomes, batch_size=5000)
    events = []
    for r in reports:
        if r.state != Report.State.DRAFT:
            events.append(
                ReportEvent(
                    report=r, old_state="draft", new_state="submitted", actor_id=heads[r.directorate_id], created_at=now
                )
            )
        if r.state in (Report.State.RETURNED, Report.State.ACCEPTED):
            events.append(
                ReportEvent(
                    report=r, old_state="submitted", new_state=r.state, actor=office, comment="Revu", created_at=now
                )
            )
    ReportEvent.objects.bulk_create(events)
    return cycle, editors, heads


def _figures(units, office, last_year, rng):
    indicators = Indicator.objects.bulk_create(
        [
            Indicator(
                code=code,
                domain=domain,
                unit=unit,
                higher_is_better=better,
                national_only=national,
                rollup=Rollup.NONE if national else Rollup.SUM,
                name_fr=fr,
                name_ar=ar,
                name_en=en,
                position=position * 10,
            )
            for position, (code, domain, unit, better, national, fr, ar, en, *_rest) in enumerate(INDICATORS, 1)
        ]
    )
    by_code = {i.code: i for i in indicators}
    for indicator in derived_indicators(by_code):
        indicator.save()
    leaves = [u for u in units if _depth(u.code) == 3]
    rows = []
    for year in range(last_year - 4, last_year + 1):
        for indicator in indicators:
            if indicator.national_only:
                rows.append(
                    Figure(
                        directorate=units[0],
                        indicator=indicator,
                        year=year,
                        value=Decimal(rng.randint(1000, 900000)),
                        entered_by=office,
                    )
                )
                continue
            for unit in leaves:
                rows.append(
                    Figure(
                        directorate=unit,
                        indicator=indicator,
                        year=year,
                        value=Decimal(rng.randint(0, 5000)),
                        entered_by=office,
                    )
                )
    Figure.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _analyze():
    """Fresh planner statistics after the bulk load, as autovacuum would soon give them in production."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@transaction.atomic
def build(units=546, seed=12, log=print):
    """Fill an empty database; returns a dict of what was built (ids and counts the measures use)."""
    rng = random.Random(seed)
    last_year, this_year = years()
    all_units = _units(units)
    office, dg = _people(all_units, rng)
    log(f"   {len(all_units)} units, {User.objects.count()} people")
    cycle = _last_year(all_units, last_year, office, rng)
    close_cycle(cycle)
    roadmap = _roadmap(cycle, office, dg, rng)
    log(
        f"   roadmap {roadmap.year}: {Objective.objects.filter(roadmap=roadmap).count()} objectives, "
        f"{Milestone.objects.count()} milestones, {ProgressUpdate.objects.count()} progress updates"
    )
    current, editors, heads = _this_year(all_units, this_year, office, rng)
    figures = _figures(all_units, office, last_year, rng)
    log(
        f"   cycle {this_year}: {Report.objects.filter(cycle=current).count()} reports in every state; "
        f"{figures} figures over 5 years"
    )
    transaction.on_commit(_analyze)
    return {
        "office": office,
        "dg": dg,
        "cycle": current,
        "last_cycle": cycle,
        "roadmap": roadmap,
        "editors": editors,
        "heads": heads,
        "units": all_units,
    }
