"""Write the example import files of the demo (docs/examples/) in the templates' format.

They are committed; run this again after a change of columns. Nothing is written to the database.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from directorates.demo_data import UNITS
from transfers import services

# Importable into the demo database (`make demo`): log in as editor.sp-sefrou / demo, or admin / demo.
EXAMPLES = {
    # Two units as the demo has them (unchanged in the preview) and a new one under the first.
    "units": [
        *(
            (u["code"], u["kind"], u["parent"] or "", u["name_fr"], u["name_ar"], u["name_en"])
            for u in UNITS
            if u["code"] in ("WS-FES", "SP-SEFROU")
        ),
        (
            "SP-BOULEMANE",
            "provincial_security",
            "WS-FES",
            "Sûreté provinciale de Boulemane",
            "الأمن الإقليمي ببولمان",
            "Boulemane provincial security",
        ),
    ],
    "deliverables": [
        (
            "SP-SEFROU",
            2022,
            "Ouvrir un commissariat de proximité à Bhalil",
            "Commissariat de proximité pour la commune de Bhalil",
            "infrastructure",
            1,
            "commissariat",
            None,
            datetime.date(2022, 12, 31),
        ),
        (
            "SP-SEFROU",
            2022,
            "Former les agents de l'accueil au nouveau système de plaintes",
            "",
            "training",
            40,
            "agents",
            datetime.date(2022, 9, 30),
            datetime.date(2022, 12, 31),
        ),
        (
            "SP-SEFROU",
            2022,
            "Renforcer les patrouilles aux abords des établissements scolaires",
            "",
            "operations",
            1200,
            "patrouilles",
            None,
            datetime.date(2022, 12, 31),
        ),
    ],
    # Each of its rows has one mistake: the preview lists them by row, column and value.
    "deliverables-with-errors": [
        (
            "SP-SEFROU",
            2022,
            "Équiper la brigade cynophile",
            "",
            "equipment",
            "beaucoup",
            "chiens",
            None,
            datetime.date(2022, 12, 31),
        ),
        ("SP-NOWHERE", 2022, "Unité inconnue", "", "operations", 1, "", None, datetime.date(2022, 12, 31)),
        ("SP-SEFROU", 2022, "Date hors du cycle", "", "operations", 1, "", None, datetime.date(2023, 3, 1)),
        (
            "SP-SEFROU",
            2022,
            "Équiper la brigade cynophile",
            "",
            "equipment",
            4,
            "chiens",
            None,
            datetime.date(2022, 12, 31),
        ),
    ],
    # As editor.sp-sefrou for 2022 (its report was returned: figures still open): two figures as the
    # demo has them (unchanged), one changed, one new.
    "figures": [
        ("SP-SEFROU", 2022, "cases_handled", 5480, "Statistiques jointes au rapport annuel de l'unité (démo)."),
        ("SP-SEFROU", 2022, "cases_solved", 5302, "Statistiques jointes au rapport annuel de l'unité (démo)."),
        ("SP-SEFROU", 2022, "road_accidents", 381, "Chiffre corrigé après consolidation"),
        ("SP-SEFROU", 2022, "violent_networks_dismantled", 3, "Registre de la brigade judiciaire"),
    ],
    # Each row has one mistake.
    "figures-with-errors": [
        ("SP-SEFROU", 2022, "drug_arrests", "beaucoup", ""),
        ("SP-NOWHERE", 2022, "arrests", 12, ""),
        ("SP-SEFROU", 2022, "no_such_indicator", 12, ""),
        ("SP-SEFROU", 2022, "solved_rate", 96.7, ""),
        ("SP-SEFROU", 2022, "road_accidents", -4, ""),
        ("SP-SEFROU", 2022, "arrests", 705, ""),
        ("SP-SEFROU", 2022, "arrests", 706, ""),
    ],
}


class Command(BaseCommand):
    help = "Write docs/examples/*.xlsx and *.csv: example import files in the templates' format."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "docs" / "examples"))

    def handle(self, *args, output, **options):
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        with translation.override(settings.LANGUAGE_CODE):
            for name, rows in EXAMPLES.items():
                kind = name.split("-")[0]
                for fmt in ("xlsx", "csv"):
                    path = folder / f"{name}.{fmt}"
                    path.write_bytes(services.rows_file(kind_key=kind, rows=rows, fmt=fmt))
                    self.stdout.write(f"wrote {path}")
