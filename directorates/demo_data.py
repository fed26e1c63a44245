"""Demo data for the 2022 review cycle of the DGSN (literal data only, no imports).

Drawn from the seed documents in shared/seeds/: the DGSN press release on the
year-end meeting of 22 December 2022 (002, Arabic; 000, French; 001, English)
and the published 2020 annual report (004), whose projects announced for the
following year feed the 2022 cahiers des charges below. The organisation tree
follows the DGSN's central directorates, cabinet poles, security prefectures
(wilayas de sûreté) and regional / provincial security commands. Figures quoted
from the seeds (e.g. more than 2.5 million hallucinogenic tablets seized in
2022) are theirs; every other target, quantity and date is illustrative.

The content is data, in JSON files beside this module (directorates/demo_content/), read
once by the demo loaders of each app.
"""

import json
from pathlib import Path

CONTENT = Path(__file__).resolve().parent / "demo_content"


def _read(name):
    return json.loads((CONTENT / f"{name}.json").read_text(encoding="utf-8"))


UNITS = _read("units")
DELIVERABLES_2022 = _read("deliverables_2022")
ACHIEVEMENTS_2022 = _read("achievements_2022")
CONSTRAINTS_2022 = _read("constraints_2022")
PRIORITIES_2022 = _read("priorities_2022")
