"""Demo: the indicator catalogue, the national figures of the published 2020 report (seeds/004),
unit-level figures for 2021–2022 so that roll-up and peer comparison show something, and the
2020 bilan written, approved and published."""

from decimal import Decimal

from core import audit
from directorates import permissions as unit_permissions
from directorates.models import Directorate, User
from figures import permissions, services
from figures.catalogue import DERIVED, INDICATORS, SOURCE
from figures.models import Figure, Indicator, Rollup

# Unit-level operational figures: (unit, cases_handled, cases_solved, arrests, road_accidents, drug_arrests)
UNITS_2021 = [
    ("WS-FES", 41210, 38950, 6020, 2710, 4480),
    ("SP-SEFROU", 5210, 5005, 690, 402, 515),
    ("SR-TAZA", 6120, 5830, 812, 455, 640),
    ("WS-RABAT", 52400, 50310, 7105, 3890, 5120),
    ("SP-SALE", 21040, 20110, 2950, 1405, 2330),
    ("SP-TEMARA", 9870, 9410, 1302, 760, 990),
    ("WS-MEKNES", 28950, 27400, 4010, 1920, 3150),
    ("SP-IFRANE", 2110, 2050, 241, 188, 160),
]
UNITS_2022 = [
    ("WS-FES", 43980, 42105, 6390, 2895, 4210),
    ("SP-SEFROU", 5480, 5302, 705, 377, 540),
    ("SR-TAZA", 6010, 5760, 790, 470, 610),
    ("WS-RABAT", 55120, 53240, 7390, 4020, 4980),
    ("SP-SALE", 22360, 21550, 3105, 1390, 2410),
    ("SP-TEMARA", 10420, 10010, 1399, 805, 1020),
    ("WS-MEKNES", 30120, 28710, 4150, 2010, 4380),
    ("SP-IFRANE", 2205, 2160, 250, 172, 171),
]
# A change past the indicator's threshold (30 % by default) comes with the unit's justification.
JUSTIFICATIONS_2022 = {
    ("WS-MEKNES", "drug_arrests"): "Opération conjointe avec la BNPJ au printemps 2022 : trois réseaux de trafic "
    "démantelés, d'où la hausse des interpellations pour stupéfiants.",
}
CODES = ("cases_handled", "cases_solved", "arrests", "road_accidents", "drug_arrests")

BILAN_2020 = {
    "title_fr": "Bilan annuel 2020 de la Sûreté nationale",
    "title_ar": "الحصيلة السنوية للأمن الوطني برسم سنة 2020",
    "title_en": "National Security annual report 2020",
    "introduction_fr": (
        "Dans le prolongement de l'approche de communication suivie depuis cinq ans, la Direction générale de la "
        "Sûreté nationale présente les grandes lignes du bilan de ses services pour l'année 2020, marquée par "
        "l'état d'urgence sanitaire : sécurité des citoyennes et des citoyens, modernisation des structures, "
        "gouvernance des ressources humaines et financières."
    ),
    "introduction_ar": (
        "في إطار المقاربة التواصلية التي دأبت عليها مصالح الأمن الوطني خلال السنوات الخمس الأخيرة، تستعرض "
        "المديرية العامة للأمن الوطني الخطوط العريضة لحصيلة عمل مصالحها خلال سنة 2020، التي تميزت بحالة "
        "الطوارئ الصحية: أمن وسلامة المواطنات والمواطنين، وتحديث البنيات، وحكامة تدبير الموارد البشرية والمالية."
    ),
    "introduction_en": (
        "Continuing the communication approach of the past five years, the General Directorate of National "
        "Security presents the broad lines of its services' outcome for 2020, a year marked by the health "
        "emergency: the safety of citizens, the modernisation of structures and the governance of human and "
        "financial resources."
    ),
    "outlook_fr": (
        "En 2021, la DGSN prévoit de généraliser les salles de commandement et de coordination, de créer de "
        "nouvelles brigades anti-gang à Marrakech et Meknès, deux écoles régionales de formation à Tanger et "
        "Marrakech, et une cinquième zone de sécurité à Rabat et à Marrakech."
    ),
    "outlook_ar": (
        "تعتزم المديرية العامة للأمن الوطني خلال سنة 2021 تعميم قاعات القيادة والتنسيق، وإحداث فرق جديدة "
        "لمكافحة العصابات بمراكش ومكناس، ومدرستين جهويتين للتكوين بطنجة ومراكش، ومنطقة أمنية خامسة بالرباط ومراكش."
    ),
    "outlook_en": (
        "In 2021 the DGSN plans to extend command and coordination rooms, create new anti-gang teams in "
        "Marrakesh and Meknes, two regional training schools in Tangier and Marrakesh, and a fifth security "
        "district in Rabat and Marrakesh."
    ),
}
SECTIONS_2020 = {
    "crime": {
        "fr": "Le taux d'élucidation atteint près de 96 %, un niveau sans précédent, grâce notamment à la police "
        "scientifique et technique et à l'intensification des opérations de terrain.",
        "ar": "بلغت نسبة الاستجلاء حوالي 96 في المائة، وهو مستوى غير مسبوق، بفضل تقنيات الشرطة العلمية "
        "والتقنية وتكثيف العمليات الميدانية.",
        "en": "The clearance rate reached nearly 96 percent, an unprecedented level, helped by scientific and "
        "technical policing and more field operations.",
    },
    "road_safety": {
        "fr": "Les accidents corporels reculent de plus de 18 % sous l'effet des mesures de l'état d'urgence.",
        "ar": "تراجعت حوادث السير الجسمانية بأكثر من 18 في المائة بفعل تدابير حالة الطوارئ الصحية.",
        "en": "Road accidents with injuries fell by more than 18 percent under the health-emergency measures.",
    },
}


def _catalogue(admin):
    indicators = {}
    for position, row in enumerate(INDICATORS, start=1):
        code, domain, unit, better, national, fr, ar, en = row[:8]
        indicator = Indicator(
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
            is_public=True,  # every one of them was published in the 2020 report
        )
        audit.attribute(indicator, actor=admin)
        indicator.save()
        indicators[code] = indicator
    for indicator in derived_indicators(indicators, is_public=True):
        audit.attribute(indicator, actor=admin)
        indicator.save()
        indicators[indicator.code] = indicator
    return indicators


def derived_indicators(by_code, **fields):
    """The catalogue's rates (``DERIVED``), unsaved, over the indicators ``by_code``; each placed just after
    its denominator. ``fields`` are set on every one of them."""
    return [
        Indicator(
            code=code,
            domain=domain,
            unit="percent",
            higher_is_better=better,
            national_only=by_code[numerator].national_only,
            rollup=by_code[numerator].rollup,
            numerator=by_code[numerator],
            denominator=by_code[denominator],
            multiplier=Decimal(multiplier),
            name_fr=fr,
            name_ar=ar,
            name_en=en,
            position=by_code[denominator].position + 5,
            **fields,
        )
        for code, domain, numerator, denominator, multiplier, better, fr, ar, en in DERIVED
    ]


def load(stdout):
    admin = User.objects.get(username="admin")
    office = User.objects.get(username="dg.office")
    dg = User.objects.get(username="dg")
    unit_permissions.join(office, permissions.GROUPS, permissions.PREPARE_BILAN)
    unit_permissions.join(dg, permissions.GROUPS, permissions.APPROVE_BILAN)
    indicators = _catalogue(admin)
    # National figures of the published 2020 report, entered by the DG's office at the root unit.
    rows = []
    for code, *_rest, value_2020, value_2019, note in INDICATORS:
        source = f"{SOURCE}. {note}".strip()
        rows.append(
            {"directorate": "DGSN", "indicator": code, "year": 2020, "value": value_2020, "source_note": source}
        )
        if value_2019 is not None:
            rows.append(
                {
                    "directorate": "DGSN",
                    "indicator": code,
                    "year": 2019,
                    "value": value_2019,
                    "source_note": f"{SOURCE} (valeur 2019 citée en comparaison).",
                }
            )
    result = services.figure_set_many(actor=office, rows=rows, reason="demo: published 2020 report")
    # 2021: no review cycle, so each unit's editor enters its own figures through the service.
    for code, *values in UNITS_2021:
        editor = User.objects.get(username=f"editor.{code.lower()}")
        services.figure_set_many(
            actor=editor,
            rows=[
                {
                    "directorate": code,
                    "indicator": indicator,
                    "year": 2021,
                    "value": value,
                    "source_note": "Statistiques de l'unité (démo).",
                }
                for indicator, value in zip(CODES, values, strict=True)
            ],
        )
    # 2022: some of these reports are already accepted in the demo (figures locked), so the
    # figures are backfilled directly, with their history rows, as a data load would.
    units = {u.code: u for u in Directorate.objects.filter(code__in=[r[0] for r in UNITS_2022])}
    audit.bulk_create(
        Figure,
        [
            Figure(
                directorate=units[code],
                indicator=indicators[indicator],
                year=2022,
                value=value,
                source_note="Statistiques jointes au rapport annuel de l'unité (démo).",
                entered_by=admin,
                justification=JUSTIFICATIONS_2022.get((code, indicator), ""),
            )
            for code, *values in UNITS_2022
            for indicator, value in zip(CODES, values, strict=True)
        ],
        actor=admin,
        reason="demo: 2022 unit figures",
    )
    bilan = services.bilan_start(actor=office, year=2020)
    bilan = services.bilan_update(
        actor=office,
        bilan=bilan,
        texts={**BILAN_2020, "introduction_public": True, "outlook_public": True},
        sections={domain: {**bodies, "public": True} for domain, bodies in SECTIONS_2020.items()},
    )
    bilan = services.bilan_approve(actor=dg, bilan=bilan)
    services.bilan_publish(actor=dg, bilan=bilan)
    services.bilan_start(actor=office, year=2022)
    stdout.write(
        f"  {len(indicators)} indicators, {result['created']} national figures (2019–2020), "
        f"unit figures for 2021–2022, bilan 2020 published, bilan 2022 in draft"
    )
