"""Writes and rules for yearly figures and the bilan.

Every write of a figure goes through ``figure_set_many`` — the web form, the API, the
spreadsheet imports (``figure_set_many(actor=…, rows=…)`` is their entry point) — so the lock
on reviewed reports, the validation and the history rows are the same everywhere.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core import audit
from core.cells import parse_decimal
from core.errors import FieldErrors, InvalidTransition, NotAllowed, ValidationFailed
from core.i18n import language_codes
from core.text import clean_instance
from core.transitions import StateMachine, move
from directorates.models import Directorate, User
from figures import formatting, permissions
from figures.bilan import compute_bilan
from figures.models import (
    BILAN_TRANSITIONS,
    WHOLE_UNITS,
    Bilan,
    BilanEvent,
    BilanSection,
    BilanState,
    Domain,
    Figure,
    Indicator,
    MeasureUnit,
)
from reviews.models import Report, ReportState, ReviewCycle, ReviewItem

if TYPE_CHECKING:
    from reviews.items import ItemKind

MAX_DECIMALS = 4

# A figure row as services take it (see figure_set_many) and give it back normalised.
Row = dict[str, Any]
MAX_INTEGER_DIGITS = 16


# ---------------------------------------------------------------- value validation


def parse_value(raw: object, indicator: Indicator) -> Decimal:
    """The Decimal value of ``raw`` for ``indicator``, or raise ValueError with a message for the user.

    Accepts numbers and strings ("58785", "58 785", "132.167", "132,167" with a decimal comma).
    """
    try:
        value = parse_decimal(raw)
    except ValueError:
        raise ValueError(_("Enter a number.")) from None
    if value < 0 and not indicator.allow_negative:
        raise ValueError(_("This figure cannot be negative."))
    if indicator.unit in WHOLE_UNITS and value != value.to_integral_value():
        raise ValueError(_("This figure is a count: enter a whole number."))
    if indicator.unit == MeasureUnit.PERCENT and not (
        -100 <= value <= 100 if indicator.allow_negative else 0 <= value <= 100
    ):
        raise ValueError(_("A percentage lies between 0 and 100."))
    sign, digits, exponent = value.normalize().as_tuple() if value else (0, (0,), 0)
    if exponent < -MAX_DECIMALS:
        raise ValueError(_("Use at most %(n)s decimal places.") % {"n": MAX_DECIMALS})
    if abs(value) >= Decimal(10) ** MAX_INTEGER_DIGITS:
        raise ValueError(_("This number is too large."))
    return value


# ---------------------------------------------------------------- figures


def _resolve(rows: Iterable[Mapping[str, Any]]) -> list[Row]:
    """Turn codes into objects with one query per model; return normalised rows."""
    unit_codes = {row["directorate"] for row in rows if isinstance(row.get("directorate"), str)}
    indicator_codes = {row["indicator"] for row in rows if isinstance(row.get("indicator"), str)}
    units = {u.code: u for u in Directorate.objects.filter(code__in=unit_codes)} if unit_codes else {}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=indicator_codes)} if indicator_codes else {}
    out: list[Row] = []
    for row in rows:
        unit = row.get("directorate")
        indicator = row.get("indicator")
        out.append(
            {
                "directorate": units.get(unit) if isinstance(unit, str) else unit,
                "directorate_code": unit if isinstance(unit, str) else getattr(unit, "code", ""),
                "indicator": indicators.get(indicator) if isinstance(indicator, str) else indicator,
                "indicator_code": indicator if isinstance(indicator, str) else getattr(indicator, "code", ""),
                "year": row.get("year"),
                "value": row.get("value"),
                "source_note": (row.get("source_note") or "").strip(),
                # None keeps the figure's justification: only the pages that show it send it.
                "justification": None if row.get("justification") is None else str(row["justification"]).strip(),
                **({"read": row.get("read") or ""} if "read" in row else {}),
            }
        )
    return out


def figure_version(figure: Figure | None) -> str:
    """The version of a figure a writer read (its last change), "" for a figure that does not exist."""
    return figure.updated_at.isoformat() if figure is not None else ""


def _changed_meanwhile(figure: Figure | None) -> str:
    if figure is None:
        return _("Someone else cleared this figure meanwhile: check the value and save again.")
    return _(
        "Someone else changed this figure meanwhile (now %(value)s, by %(who)s): check the value and save again."
    ) % {"value": figure.value.normalize(), "who": figure.entered_by}


def _check_row(
    row: Row,
    actor: User,
    reports: Mapping[tuple[int, int], Report],
    seen: set[tuple[int, int, int]],
    pair_problems: dict[tuple[int, int], str | None],
    cycle_years: set[int] | None = None,
) -> FieldErrors:
    errors: FieldErrors = {}
    unit, indicator, year = row["directorate"], row["indicator"], row["year"]
    if unit is None:
        errors["directorate"] = [_("Unknown unit “%(code)s”.") % {"code": row["directorate_code"]}]
    if indicator is None:
        errors["indicator"] = [_("Unknown indicator “%(code)s”.") % {"code": row["indicator_code"]}]
    try:
        year = int(year)
        if not 2000 <= year <= 2100:
            raise ValueError
        row["year"] = year
    except (TypeError, ValueError):
        errors["year"] = [_("Enter a year between 2000 and 2100.")]
    else:
        if cycle_years is not None and year not in cycle_years:
            errors["year"] = [_("There is no review cycle for %(year)s.") % {"year": year}]
    if errors:
        return errors
    if indicator.is_derived:
        return {"indicator": [_("“%(code)s” is computed from other figures, never typed.") % {"code": indicator.code}]}
    if not indicator.is_active:
        return {"indicator": [_("“%(code)s” is no longer in use.") % {"code": indicator.code}]}
    if indicator.national_only and unit.parent_id is not None:
        return {
            "indicator": [
                _("“%(code)s” is a national figure, entered only at national level.") % {"code": indicator.code}
            ]
        }
    if not indicator.applies_to(unit):
        return {"indicator": [_("“%(code)s” does not apply to this kind of unit.") % {"code": indicator.code}]}
    key = (unit.pk, indicator.pk, year)
    if key in seen:
        return {"indicator": [_("The same figure appears twice.")]}
    seen.add(key)
    # Permission and report lock: the same answer for every row of a (unit, year), so asked once.
    pair = (unit.pk, year)
    if pair not in pair_problems:
        pair_problems[pair] = permissions.figure_write_problem(actor, unit, reports.get(pair))
    problem = pair_problems[pair]
    if problem:
        return {"directorate": [problem]}
    if row["value"] is None or row["value"] == "":
        row["value"] = None  # clears the figure
        return {}
    try:
        row["value"] = parse_value(row["value"], indicator)
    except ValueError as error:
        return {"value": [str(error)]}
    return {}


def _years_of(rows: Iterable[Row]) -> set[int]:
    years: set[int] = set()
    for row in rows:
        try:
            years.add(int(row["year"]))
        except (TypeError, ValueError):
            continue  # the row's own check reports the bad year; here we only gather the valid ones
    return years


def figure_check_many(
    *,
    actor: User,
    rows: Iterable[Mapping[str, Any]],
    require_cycle: bool = False,
    lock: bool = False,
    check_flags: bool = False,
) -> tuple[list[Row], dict[str, FieldErrors]]:
    """Check figure rows without writing anything; return ``(rows, errors)``.

    ``rows`` come back normalised (objects instead of codes, ``year`` an int, ``value`` a Decimal or
    None); ``errors`` is ``{"<row index>": {field: [message]}}``, empty when every row may be saved.
    The rules of ``figure_set_many``: catalogue (unknown, derived, inactive, national-only, unit kind),
    duplicates, the permission and report lock (``permissions.figure_write_problem``, asked once per
    (unit, year)), the value. ``require_cycle``: a year without a review cycle is refused (spreadsheet
    imports). ``lock``: the reports read are locked until the transaction ends (before writing).
    Queries: units, indicators, reports (+ cycles), whatever the number of rows.
    """
    rows = _resolve(list(rows))
    unit_ids = {row["directorate"].pk for row in rows if row["directorate"]}
    years = _years_of(rows)
    reports: dict[tuple[int, int], Report] = {}
    if unit_ids and years:
        queryset = Report.objects.filter(directorate__in=unit_ids, cycle__year__in=years).select_related("cycle")
        if lock:
            queryset = queryset.select_for_update(of=("self",))
        reports = {(report.directorate_id, report.cycle.year): report for report in queryset}
    cycle_years = None
    if require_cycle:
        cycle_years = set(ReviewCycle.objects.filter(year__in=years).values_list("year", flat=True)) if years else set()
    seen: set[tuple[int, int, int]] = set()
    pair_problems: dict[tuple[int, int], str | None] = {}
    errors: dict[str, FieldErrors] = {}
    for index, row in enumerate(rows):
        row_errors = _check_row(row, actor, reports, seen, pair_problems, cycle_years)
        if row_errors:
            errors[str(index)] = row_errors
    if check_flags:
        errors.update(_unflagged_row_errors(rows, errors))
    return rows, errors


def _unflagged_row_errors(rows: list[Row], errors: Mapping[str, FieldErrors]) -> dict[str, FieldErrors]:
    """Row errors for figures a spreadsheet would change while their report is returned with other items
    flagged (the preview says so per row; ``figure_set_many`` refuses them anyway). Two queries."""
    valid = [(index, row) for index, row in enumerate(rows) if str(index) not in errors]
    if not valid:
        return {}
    flags: dict[tuple[int, int], set[int]] = {}
    for unit, year, kind, item_id in ReviewItem.objects.filter(
        report__directorate__in={row["directorate"].pk for _i, row in valid},
        report__cycle__year__in={row["year"] for _i, row in valid},
        report__state=ReportState.RETURNED,
        resolved_at__isnull=True,
    ).values_list("report__directorate_id", "report__cycle__year", "kind", "item_id"):
        flags.setdefault((unit, year), set())
        if kind == ReviewItem.Kind.FIGURE:
            flags[(unit, year)].add(item_id)
    if not flags:
        return {}
    restricted = [(index, row) for index, row in valid if (row["directorate"].pk, row["year"]) in flags]
    existing = {
        (f.directorate_id, f.indicator_id, f.year): f
        for f in Figure.objects.filter(
            directorate__in={row["directorate"].pk for _i, row in restricted},
            indicator__in={row["indicator"].pk for _i, row in restricted},
            year__in={row["year"] for _i, row in restricted},
        )
    }
    out: dict[str, FieldErrors] = {}
    for index, row in restricted:
        figure = existing.get((row["directorate"].pk, row["indicator"].pk, row["year"]))
        unchanged = figure is not None and figure.value == row["value"] and figure.source_note == row["source_note"]
        if figure is None and row["value"] is None:
            unchanged = True
        if not unchanged and (figure is None or figure.pk not in flags[(row["directorate"].pk, row["year"])]):
            out[str(index)] = {
                "indicator": [
                    _(
                        "The DG's office returned this report with flagged items: only those items can be changed "
                        "until it is resubmitted."
                    )
                ]
            }
    return out


@transaction.atomic
def figure_set_many(*, actor: User, rows: Iterable[Mapping[str, Any]], reason: str = "") -> dict[str, int]:
    """Create, update or clear many figures at once, all or nothing.

    ``rows``: mappings with ``directorate`` (a Directorate or its code), ``indicator`` (an Indicator
    or its code), ``year``, ``value`` (number or string; None or "" clears the figure) and optional
    ``source_note`` and ``justification`` (of a change past the indicator's threshold; absent keeps it), and
    ``read``: the version of the figure the writer read (``figure_version``; "" when there was none), so that a
    change made meanwhile is refused rather than overwritten (optimistic concurrency: the web form sends it
    on every row; the API checks If-Match itself; imports have no "read"). Every row is checked (permission and
    report lock, catalogue, value) before anything is written; any problem raises ValidationFailed with ``errors``
    keyed by row index.
    Writes are bulk, and every created, changed or cleared figure leaves a history row.
    Queries do not grow with the number of rows (except one per cleared figure).
    Returns ``{"created": n, "updated": n, "unchanged": n, "cleared": n}``.
    """
    rows, errors = figure_check_many(actor=actor, rows=rows, lock=True)
    if errors:
        raise ValidationFailed(_("Some figures could not be saved."), errors=errors)
    unit_ids = {row["directorate"].pk for row in rows}
    years = {row["year"] for row in rows}

    existing = (
        {
            (f.directorate_id, f.indicator_id, f.year): f
            for f in Figure.objects.select_for_update().filter(
                directorate__in=unit_ids,
                indicator__in={row["indicator"].pk for row in rows},
                year__in=years,
            )
        }
        if rows
        else {}
    )
    stale: dict[str, FieldErrors] = {}
    for index, row in enumerate(rows):
        figure = existing.get((row["directorate"].pk, row["indicator"].pk, row["year"]))
        if "read" in row and row["read"] != figure_version(figure):
            stale[str(index)] = {"value": [_changed_meanwhile(figure)]}
    if stale:
        raise ValidationFailed(
            _(
                "Someone else changed some figures meanwhile: nothing was saved. Check the "
                "figures marked and save again."
            ),
            errors=stale,
        )
    now = timezone.now()
    to_create: list[Figure] = []
    to_update: list[Figure] = []
    to_clear: list[Figure] = []
    unchanged = 0
    for row in rows:
        key = (row["directorate"].pk, row["indicator"].pk, row["year"])
        figure = existing.get(key)
        if row["value"] is None:
            if figure is not None:
                to_clear.append(figure)
            continue
        justification = row["justification"]
        if figure is None:
            to_create.append(
                Figure(
                    directorate=row["directorate"],
                    indicator=row["indicator"],
                    year=row["year"],
                    value=row["value"],
                    source_note=row["source_note"],
                    justification=justification or "",
                    entered_by=actor,
                )
            )
        elif (
            figure.value != row["value"]
            or figure.source_note != row["source_note"]
            or (justification is not None and figure.justification != justification)
        ):
            figure.value, figure.source_note = row["value"], row["source_note"]
            if justification is not None:
                figure.justification = justification
            figure.entered_by, figure.updated_at = actor, now
            to_update.append(figure)
        else:
            unchanged += 1
    _refuse_unflagged_figures(to_create + to_update + to_clear)
    if to_create:
        audit.bulk_create(Figure, to_create, actor=actor, reason=reason or "figures entered")
    if to_update:
        Figure.objects.bulk_update(
            [clean_instance(f) for f in to_update],
            ["value", "source_note", "justification", "entered_by", "updated_at"],
            batch_size=500,
        )
        audit.record_update(to_update, actor=actor, reason=reason or "figures changed")
    for figure in to_clear:
        audit.attribute(figure, actor=actor, reason=reason or "figure cleared")
        figure.delete()  # simple_history records the deletion through its signal
    return {"created": len(to_create), "updated": len(to_update), "unchanged": unchanged, "cleared": len(to_clear)}


def _refuse_unflagged_figures(figures: list[Figure]) -> None:
    """While a unit's report is returned with flagged items, only its flagged figures may change (409).

    One query, whatever the number of figures.
    """
    if not figures:
        return
    flags: dict[tuple[int, int], set[int]] = {}
    for unit, year, kind, item_id in ReviewItem.objects.filter(
        report__directorate__in={f.directorate_id for f in figures},
        report__cycle__year__in={f.year for f in figures},
        report__state=ReportState.RETURNED,
        resolved_at__isnull=True,
    ).values_list("report__directorate_id", "report__cycle__year", "kind", "item_id"):
        flags.setdefault((unit, year), set())
        if kind == ReviewItem.Kind.FIGURE:
            flags[(unit, year)].add(item_id)
    refused = [
        f for f in figures if (f.directorate_id, f.year) in flags and f.pk not in flags[(f.directorate_id, f.year)]
    ]
    if refused:
        raise InvalidTransition(
            _(
                "The DG's office returned this report with flagged items: only those items can be changed until "
                "it is resubmitted."
            ),
            errors={
                "figures": [
                    _("%(code)s was not flagged by the DG's office.") % {"code": f.indicator.code} for f in refused
                ]
            },
        )


def figure_review_kind() -> "ItemKind":
    """The ``figure`` kind of item the DG's office may flag in a report (reviews.items)."""
    from reviews.items import ItemKind

    def read(report: Report, ids: Iterable[int] | None = None) -> dict[int, tuple[str, dict[str, Any]]]:
        rows = Figure.objects.filter(directorate_id=report.directorate_id, year=report.cycle.year).select_related(
            "indicator"
        )
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        return {
            f.pk: (
                f"{f.indicator.name} ({f.indicator.code})",
                {
                    "value": format(f.value.normalize(), "f"),
                    "source_note": f.source_note,
                    "justification": f.justification,
                },
            )
            for f in rows
        }

    return ItemKind(
        ReviewItem.Kind.FIGURE,
        read=read,
        fields={
            "value": gettext_lazy("value"),
            "source_note": gettext_lazy("source note"),
            "justification": gettext_lazy("justification of the change"),
        },
    )


def figure_set(
    *,
    actor: User,
    directorate: Directorate | str,
    indicator: Indicator | str,
    year: int | str,
    value: object,
    source_note: str = "",
    justification: str | None = None,
) -> Figure:
    """Enter (or change) one figure; returns it. Errors are keyed by field, not by row."""
    try:
        figure_set_many(
            actor=actor,
            rows=[
                {
                    "directorate": directorate,
                    "indicator": indicator,
                    "year": year,
                    "value": value,
                    "source_note": source_note,
                    "justification": justification,
                }
            ],
        )
    except ValidationFailed as error:
        raise ValidationFailed(_("The figure could not be saved."), errors=error.errors.get("0", {})) from None
    return Figure.objects.select_related("directorate", "indicator", "entered_by").get(
        directorate__code=directorate if isinstance(directorate, str) else directorate.code,
        indicator__code=indicator if isinstance(indicator, str) else indicator.code,
        year=int(year),
    )


def report_check_justifications(report: Report) -> None:
    """Before a report is submitted: every figure of its year whose change from the year before passes
    its indicator's threshold has a written justification. Raises ValidationFailed naming each one."""
    from figures.selectors import changes_past_threshold

    missing = [
        row
        for row in changes_past_threshold(directorate_ids=[report.directorate_id], year=report.cycle.year)
        if not row["figure"].justification.strip()
    ]
    if not missing:
        return
    raise ValidationFailed(
        ngettext(
            "Justify the large change of %(count)s figure before submitting.",
            "Justify the large changes of %(count)s figures before submitting.",
            len(missing),
        )
        % {"count": len(missing)},
        errors={
            "figures": [
                _("%(indicator)s (%(code)s): %(change)s since %(year)s, past the %(threshold)s %% threshold")
                % {
                    "indicator": row["figure"].indicator.name,
                    "code": row["figure"].indicator.code,
                    "change": formatting.signed_percent(row["change"]),
                    "year": report.cycle.year - 1,
                    "threshold": formatting.format_number(row["figure"].indicator.change_threshold, "percent"),
                }
                for row in missing
            ]
        },
    )


# ---------------------------------------------------------------- bilan

TEXT_FIELDS = [f"{field}_{language}" for field in ("title", "introduction", "outlook") for language in language_codes()]
# Which text blocks go into the public edition (the title always does).
PUBLIC_FIELDS = ["introduction_public", "outlook_public"]


@transaction.atomic
def bilan_start(*, actor: User, year: int) -> Bilan:
    """Open (or return) the draft bilan of ``year``."""
    if not permissions.can_edit_bilan(actor):
        raise NotAllowed(_("Only the DG's office drafts the annual report."))
    bilan = Bilan.objects.filter(year=year).first()
    if bilan is None:
        bilan = Bilan(year=year, created_by=actor)
        audit.attribute(bilan, actor=actor)
        bilan.save()
    return bilan


@transaction.atomic
def bilan_update(
    *,
    actor: User,
    bilan: Bilan,
    texts: Mapping[str, Any] | None = None,
    sections: Mapping[str, Mapping[str, Any]] | None = None,
    expected_version: int | str | None = None,
) -> Bilan:
    """Change the narrative of a draft bilan: ``texts`` {field_lang: str, and the PUBLIC_FIELDS: bool},
    ``sections`` {domain: {fr, ar, en, and optionally public: bool}} (public: in the public edition)."""
    if not permissions.can_edit_bilan(actor):
        raise NotAllowed(_("Only the DG's office writes the annual report."))
    current = Bilan.objects.select_for_update().get(pk=bilan.pk)
    if current.state != BilanState.DRAFT:
        raise InvalidTransition(_("Only a draft annual report can be changed."))
    if expected_version is not None and current.version != int(expected_version):
        raise InvalidTransition(_("Someone changed this annual report meanwhile: reload it and try again."))
    for field, value in (texts or {}).items():
        if field in PUBLIC_FIELDS:
            setattr(current, field, bool(value))
            continue
        if field not in TEXT_FIELDS:
            raise ValidationFailed(_("Unknown field."), errors={field: [_("Unknown field.")]})
        setattr(current, field, (value or "").strip())
    current.version += 1
    audit.attribute(current, actor=actor)
    current.save()
    existing = {section.domain: section for section in current.sections.all()}
    for domain, bodies in (sections or {}).items():
        if domain not in Domain.values:
            raise ValidationFailed(_("Unknown domain."), errors={domain: [_("Unknown domain.")]})
        section = existing.get(domain) or BilanSection(bilan=current, domain=domain)
        new = {f"body_{lang}": (bodies.get(lang) or "").strip() for lang in language_codes()}
        if "public" in bodies:
            new["is_public"] = bool(bodies["public"])
        if section.pk and all(getattr(section, k) == v for k, v in new.items()):
            continue
        for key, value in new.items():
            setattr(section, key, value)
        audit.attribute(section, actor=actor)
        section.save()
    return current


BILAN_MACHINE = StateMachine(
    transitions=BILAN_TRANSITIONS,
    event_model=BilanEvent,
    subject="bilan",
    invalid_message=lambda from_state, to_state: (
        _("A %(from)s annual report cannot become %(to)s.")
        % {"from": BilanState(from_state).label.lower(), "to": BilanState(to_state).label.lower()}
    ),
    stale_message=lambda: _("Someone else changed this annual report first: reload it."),
)


def _move(bilan: Bilan, actor: User, to_state: str, **changes: Any) -> Bilan:
    """The bilan moves (core.transitions): checked, claimed, its event and history written."""
    move(BILAN_MACHINE, instance=bilan, actor=actor, to_state=to_state, extra=changes)
    return bilan


@transaction.atomic
def bilan_approve(*, actor: User, bilan: Bilan) -> Bilan:
    """The DG approves the draft bilan."""
    if not permissions.can_approve_bilan(actor):
        raise NotAllowed(_("Approving the annual report needs the right to approve the bilan."))
    return _move(bilan, actor, BilanState.APPROVED, approved_by=actor, approved_at=timezone.now())


@transaction.atomic
def bilan_reopen(*, actor: User, bilan: Bilan) -> Bilan:
    """Back to draft (before publication) for corrections."""
    if not permissions.can_reopen_bilan(actor):
        raise NotAllowed(_("Only the DG or the DG's office may reopen the annual report."))
    return _move(bilan, actor, BilanState.DRAFT, approved_by=None, approved_at=None)


@transaction.atomic
def bilan_publish(*, actor: User, bilan: Bilan) -> Bilan:
    """Publish the approved bilan: its computed values are frozen in a snapshot from now on."""
    if not permissions.can_publish_bilan(actor):
        raise NotAllowed(_("Only the DG or the DG's office may publish the annual report."))
    bilan = Bilan.objects.prefetch_related("sections").get(pk=bilan.pk)
    data = compute_bilan(bilan.year, bilan=bilan)
    data.state = BilanState.PUBLISHED
    return _move(
        bilan, actor, BilanState.PUBLISHED, published_by=actor, published_at=timezone.now(), snapshot=data.as_json()
    )
