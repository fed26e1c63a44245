"""The one computation behind the bilan page, its JSON, PDF and Excel workbook.

``compute_bilan(year)`` returns plain dataclasses: every indicator of the catalogue with its
value for the year, the previous year's value, the absolute and relative change, grouped by
domain, plus the highlights, the narrative sections and next year's roadmap objectives.

Arithmetic is Decimal throughout and nothing is rounded here: rounding happens only when a
number is displayed (``figures.formatting``). A change against a missing previous value is
"n/a", against a zero previous value "new" — never an error, never infinity.

Roll-up (documented in docs/figures.md): an indicator that rolls up by "sum" is, for a unit,
the sum of the figures of the unit and of every unit under it (Directorate.path prefix), and
nationally the sum of all figures. An indicator that does not roll up ("none") only has the
figure entered at the root unit (DGSN). Derived indicators are computed from the rolled-up
values of their numerator and denominator, for every scope alike.

Queries do not grow with the number of units: one for the catalogue, one aggregate for the
rolled-up values, one for root-level figures and their notes, one for the bilan's text.
"""

import dataclasses
from decimal import Decimal, localcontext

from django.apps import apps
from django.db.models import Count, Q, Sum

from core.i18n import fields_of, pick
from directorates.models import Directorate
from figures.models import DOMAIN_ORDER, UNIT_SHORT_NAMES, Bilan, Domain, Figure, Indicator, Rollup

HIGHLIGHT_COUNT = 6
_PRECISION = 50  # digits kept by a division before display rounds


class ChangeStatus:
    OK = "ok"  # both values known, previous non-zero: change and change_pct set
    NEW = "new"  # previous value is zero: absolute change set, no percentage
    NOT_AVAILABLE = "n/a"  # no previous value: nothing to compare against
    MISSING = "missing"  # no value for the year


def change_between(value, previous):
    """(change, change_pct, status) of ``value`` against ``previous``; exact Decimals or None."""
    if value is None:
        return None, None, ChangeStatus.MISSING
    if previous is None:
        return None, None, ChangeStatus.NOT_AVAILABLE
    change = value - previous
    if previous == 0:
        if value == 0:
            return change, None, ChangeStatus.NOT_AVAILABLE
        return change, None, ChangeStatus.NEW
    with localcontext() as context:
        context.prec = _PRECISION
        return change, change * 100 / abs(previous), ChangeStatus.OK


def ratio(numerator, denominator, multiplier=Decimal(1)):
    """numerator / denominator × multiplier, or None when a term is missing or the denominator is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    with localcontext() as context:
        context.prec = _PRECISION
        return numerator * multiplier / denominator


def clean(number):
    """Drop storage padding ("191903.0000" → 191903, "132.1670" → 132.167) without rounding."""
    if number is None:
        return None
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()


@dataclasses.dataclass
class Line:
    """One indicator of the bilan."""

    code: str
    names: dict
    domain: str
    unit: str
    higher_is_better: bool | None
    derived: bool
    value: Decimal | None
    previous: Decimal | None
    note: str = ""
    public: bool = False
    change: Decimal | None = None
    change_pct: Decimal | None = None
    status: str = ChangeStatus.MISSING

    def __post_init__(self):
        self.change, self.change_pct, self.status = change_between(self.value, self.previous)

    @property
    def name(self):
        return pick(self.names)

    @property
    def unit_label(self):
        return str(UNIT_SHORT_NAMES.get(self.unit, self.unit))

    @property
    def trend(self):
        if self.change is None or self.change == 0:
            return "flat"
        return "up" if self.change > 0 else "down"

    @property
    def assessment(self):
        """ "good", "bad" or "neutral": the direction of the change read with higher_is_better."""
        if self.higher_is_better is None or self.trend == "flat":
            return "neutral"
        return "good" if (self.trend == "up") == self.higher_is_better else "bad"

    def as_json(self, language=None):
        return {
            "code": self.code,
            "name": pick(self.names, language),
            "names": self.names,
            "domain": self.domain,
            "unit": self.unit,
            "higher_is_better": self.higher_is_better,
            "derived": self.derived,
            "value": _str(self.value),
            "previous": _str(self.previous),
            "change": _str(self.change),
            "change_pct": _str(self.change_pct),
            "change_status": self.status,
            "note": self.note,
            "public": self.public,
        }


def _str(number):
    return None if number is None else str(number)


def _dec(text):
    return None if text is None else Decimal(text)


@dataclasses.dataclass
class DomainGroup:
    domain: str
    lines: list
    text: dict = dataclasses.field(default_factory=dict)

    @property
    def label(self):
        return Domain(self.domain).label

    @property
    def body(self):
        return pick(self.text) if self.text else ""


@dataclasses.dataclass
class BilanData:
    year: int
    lines: list
    state: str = "draft"
    scope: str = ""
    title: dict = dataclasses.field(default_factory=dict)
    introduction: dict = dataclasses.field(default_factory=dict)
    outlook: dict = dataclasses.field(default_factory=dict)
    sections: dict = dataclasses.field(default_factory=dict)  # domain -> {fr, ar, en}
    objectives: list = dataclasses.field(default_factory=list)
    frozen: bool = False
    # Which text blocks are public: {"introduction": bool, "outlook": bool, "sections": [domain, …]}.
    public_texts: dict = dataclasses.field(default_factory=dict)
    edition: str = "internal"

    def public_edition(self):
        """The same bilan with only what is classified public: public indicators (computed from the same
        figures), public text blocks, and no internal roadmap objectives."""
        public_sections = set(self.public_texts.get("sections", ()))
        return dataclasses.replace(
            self,
            lines=[line for line in self.lines if line.public],
            introduction=self.introduction if self.public_texts.get("introduction") else {},
            outlook=self.outlook if self.public_texts.get("outlook") else {},
            sections={domain: text for domain, text in self.sections.items() if domain in public_sections},
            objectives=[],
            edition="public",
        )

    @property
    def is_public_edition(self):
        return self.edition == "public"

    @property
    def previous_year(self):
        return self.year - 1

    @property
    def groups(self):
        by_domain = {}
        for line in self.lines:
            by_domain.setdefault(line.domain, []).append(line)
        return [
            DomainGroup(domain, by_domain[domain], self.sections.get(domain, {}))
            for domain in sorted(by_domain, key=lambda d: DOMAIN_ORDER.get(d, 999))
        ]

    @property
    def reported_groups(self):
        """The groups as printed: indicators with neither a value nor a previous value are left out
        (the JSON keeps every indicator of the catalogue)."""
        groups = []
        for group in self.groups:
            lines = [line for line in group.lines if line.value is not None or line.previous is not None]
            if lines:
                groups.append(DomainGroup(group.domain, lines, group.text))
        return groups

    @property
    def highlights(self):
        """The largest relative changes (then the "new" ones), the figures a reader looks for first."""
        comparable = [line for line in self.lines if line.status == ChangeStatus.OK and line.change != 0]
        comparable.sort(key=lambda line: (-abs(line.change_pct), line.code))
        return comparable[:HIGHLIGHT_COUNT]

    @property
    def title_text(self):
        return pick(self.title)

    @property
    def introduction_text(self):
        return pick(self.introduction)

    @property
    def outlook_text(self):
        return pick(self.outlook)

    def line(self, code):
        return next((line for line in self.lines if line.code == code), None)

    def as_json(self, language=None):
        return {
            "year": self.year,
            "previous_year": self.previous_year,
            "state": self.state,
            "frozen": self.frozen,
            "scope": self.scope,
            "title": self.title,
            "introduction": self.introduction,
            "outlook": self.outlook,
            "sections": self.sections,
            "indicators": [line.as_json(language) for line in self.lines],
            "highlights": [line.code for line in self.highlights],
            "objectives": self.objectives,
            "public_texts": self.public_texts,
            "edition": self.edition,
        }

    @classmethod
    def from_json(cls, data):
        lines = [
            Line(
                code=row["code"],
                names=row["names"],
                domain=row["domain"],
                unit=row["unit"],
                higher_is_better=row["higher_is_better"],
                derived=row["derived"],
                value=_dec(row["value"]),
                previous=_dec(row["previous"]),
                note=row.get("note", ""),
                public=row.get("public", False),
            )
            for row in data["indicators"]
        ]
        return cls(
            year=data["year"],
            lines=lines,
            state=data.get("state", "published"),
            scope=data.get("scope", ""),
            title=data.get("title", {}),
            introduction=data.get("introduction", {}),
            outlook=data.get("outlook", {}),
            sections=data.get("sections", {}),
            objectives=data.get("objectives", []),
            frozen=True,
            public_texts=data.get("public_texts", {}),
        )


# ---------------------------------------------------------------- values


def _own_q(scope):
    """Figures entered at the scope unit itself, or at a root unit for the national scope."""
    if scope is None:
        return Q(directorate__parent__isnull=True)
    return Q(directorate=scope)


def scope_values(indicators, years, scope=None):
    """{(indicator_id, year): value} for a scope (a unit's subtree, or national when ``scope`` is None),
    entered and derived indicators alike, plus {(indicator_id, year): note} of the scope's own figures.

    Two queries whatever the number of units and figures.
    """
    years = list(years)
    sums = Figure.objects.filter(year__in=years, indicator__rollup=Rollup.SUM)
    if scope is not None:
        sums = sums.filter(directorate__path__startswith=scope.path)
    values = {
        (row["indicator"], row["year"]): clean(row["total"])
        for row in sums.order_by().values("indicator", "year").annotate(total=Sum("value"), n=Count("pk"))
    }
    own = Figure.objects.filter(year__in=years).filter(_own_q(scope))
    notes = {}
    for indicator_id, year, value, note, rollup in own.values_list(
        "indicator", "year", "value", "source_note", "indicator__rollup"
    ):
        if rollup == Rollup.NONE:
            values[(indicator_id, year)] = clean(values.get((indicator_id, year), Decimal(0)) + value)
        if note:
            notes[(indicator_id, year)] = note
    _derive(indicators, years, values)
    return values, notes


def _derive(indicators, years, values):
    for indicator in indicators:
        if indicator.is_derived:
            for year in years:
                values[(indicator.pk, year)] = ratio(
                    values.get((indicator.numerator_id, year)),
                    values.get((indicator.denominator_id, year)),
                    indicator.multiplier,
                )


def catalogue():
    return list(Indicator.objects.active().order_by("position", "code"))


def _names(obj):
    return fields_of(obj, "name")


def compute_bilan(year, *, scope=None, bilan=None, objectives=True):
    """Compute the bilan of ``year`` (nationally, or for ``scope``'s subtree). Never reads a snapshot.

    ``objectives=False`` leaves out next year's roadmap objectives (read from the roadmap's frozen
    version: megabytes of JSON at national scale) for readers of the figures only.
    """
    indicators = catalogue()
    values, notes = scope_values(indicators, (year, year - 1), scope)
    lines = [
        Line(
            code=indicator.code,
            names=_names(indicator),
            domain=indicator.domain,
            unit=indicator.unit,
            higher_is_better=indicator.higher_is_better,
            derived=indicator.is_derived,
            value=values.get((indicator.pk, year)),
            previous=values.get((indicator.pk, year - 1)),
            note=notes.get((indicator.pk, year), ""),
            public=indicator.is_public,
        )
        for indicator in indicators
        if scope is None or not indicator.national_only
    ]
    data = BilanData(year=year, lines=lines, scope=scope.code if scope else "")
    if bilan is not None:
        _add_narrative(data, bilan)
    if scope is None and objectives:
        data.objectives = roadmap_objectives(year + 1)
    return data


def _add_narrative(data, bilan):
    data.state = bilan.state
    for field in ("title", "introduction", "outlook"):
        setattr(data, field, fields_of(bilan, field))
    data.sections = {section.domain: fields_of(section, "body") for section in bilan.sections.all()}
    data.public_texts = {
        "introduction": bilan.introduction_public,
        "outlook": bilan.outlook_public,
        "sections": sorted(section.domain for section in bilan.sections.all() if section.is_public),
    }


def load_bilan(year, *, objectives=True):
    """The bilan as readers see it: the frozen snapshot once published, else computed now.

    ``objectives=False``: the figures only (the dashboard), without next year's roadmap objectives.
    """
    bilan = Bilan.objects.filter(year=year).prefetch_related("sections").first()
    if bilan is not None and bilan.is_published:
        return bilan, BilanData.from_json(bilan.snapshot)
    return bilan, compute_bilan(year, bilan=bilan, objectives=objectives)


# ---------------------------------------------------------------- roadmap hook


def roadmap_objectives(year):
    """Next year's approved roadmap objectives, shown at the end of the bilan.

    Imports point one way (the roadmap app imports figures, never the reverse), so the roadmap's
    ``roadmap.selectors.bilan_objectives(year)`` is looked up through the app registry: a list of
    ``{"title": str, "unit": str (unit code), "domain": str (optional)}`` for the approved roadmap of
    ``year``. Without the roadmap app the bilan simply has no outlook objectives.
    """
    if not apps.is_installed("roadmap"):
        return []
    from importlib import import_module

    return [dict(item) for item in import_module("roadmap.selectors").bilan_objectives(year)]


def roadmap_objective_counts(year):
    """Next year's approved roadmap objectives counted by unit and domain, without reading them:
    ``roadmap.selectors.bilan_objective_counts(year)`` (a list of ``{"unit", "domain", "count"}``), looked
    up like ``roadmap_objectives``. One query."""
    if not apps.is_installed("roadmap"):
        return []
    from importlib import import_module

    return list(import_module("roadmap.selectors").bilan_objective_counts(year))


@dataclasses.dataclass
class OutlookDomain:
    domain: str
    objectives: int
    units: int

    @property
    def label(self):
        from directorates.models import Deliverable

        try:
            return Deliverable.Category(self.domain).label
        except ValueError:
            return self.domain or "—"


@dataclasses.dataclass
class Outlook:
    """Next year's roadmap objectives as the bilan page shows them at national scale: counted by domain
    (objectives, units carrying them), the objectives themselves on the roadmap page and in the documents."""

    year: int
    total: int
    units: int
    domains: list


def outlook_summary(data):
    """The outlook of ``data`` (a national bilan): counted from the frozen snapshot's objectives once
    published, else by the database in the roadmap's approved version (``roadmap_objective_counts``)."""
    if data.frozen or data.objectives:
        counts = {}
        for objective in data.objectives:
            key = (objective.get("unit", ""), objective.get("domain", "") or "")
            counts[key] = counts.get(key, 0) + 1
        rows = [{"unit": unit, "domain": domain, "count": n} for (unit, domain), n in counts.items()]
    else:
        rows = roadmap_objective_counts(data.year + 1)
    by_domain, units = {}, set()
    for row in rows:
        entry = by_domain.setdefault(row["domain"] or "", [0, set()])
        entry[0] += row["count"]
        entry[1].add(row["unit"])
        units.add(row["unit"])
    domains = [OutlookDomain(domain, n, len(owners)) for domain, (n, owners) in by_domain.items()]
    domains.sort(key=lambda d: (-d.objectives, d.domain))
    return Outlook(year=data.year + 1, total=sum(d.objectives for d in domains), units=len(units), domains=domains)


# ---------------------------------------------------------------- per-unit values (dashboards)


def unit_values(indicators, years, units):
    """{(unit_id, indicator_id, year): value} of each unit's subtree total, for dashboards.

    One query for the figures of the years; each figure is added to every ancestor on its path,
    so the cost is figures × depth in Python, independent of how many units are asked for.
    """
    units = list(units)
    by_code = {unit.code: unit.pk for unit in units}
    indicator_ids = (
        {i.pk for i in indicators}
        | {i.numerator_id for i in indicators if i.is_derived}
        | {i.denominator_id for i in indicators if i.is_derived}
    )
    values = {}
    rows = Figure.objects.filter(year__in=list(years), indicator__in=indicator_ids).values_list(
        "directorate__path", "directorate_id", "indicator_id", "indicator__rollup", "year", "value"
    )
    for path, directorate_id, indicator_id, rollup, year, value in rows:
        if rollup == Rollup.NONE:
            targets = [directorate_id] if directorate_id in by_code.values() else []
        else:
            targets = [by_code[code] for code in path.rstrip("/").split("/") if code in by_code]
        for unit_id in targets:
            key = (unit_id, indicator_id, year)
            values[key] = clean(values.get(key, Decimal(0)) + value)
    for indicator in indicators:
        if indicator.is_derived:
            for unit in units:
                for year in years:
                    values[(unit.pk, indicator.pk, year)] = ratio(
                        values.get((unit.pk, indicator.numerator_id, year)),
                        values.get((unit.pk, indicator.denominator_id, year)),
                        indicator.multiplier,
                    )
    return values


def national_root():
    return Directorate.objects.filter(parent__isnull=True).order_by("path").first()


__all__ = [
    "BilanData",
    "ChangeStatus",
    "DomainGroup",
    "Line",
    "change_between",
    "compute_bilan",
    "load_bilan",
    "Outlook",
    "outlook_summary",
    "ratio",
    "roadmap_objective_counts",
    "roadmap_objectives",
    "scope_values",
    "unit_values",
]
