"""axe-core (vendored, static/vendor/axe-core) checks the main pages in Chromium, in French and Arabic, for
the DG's office and a unit's editor: no serious or critical WCAG 2 A/AA violation."""

import pytest

from tests.browser_support import log_in
from tests.ux.test_crawler import frozen_2023, world  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = "/static/vendor/axe-core/axe.min.js"
RUN = """async () => {
  const result = await axe.run(document,
    {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


def pages(w):
    a = w.reports["own"]
    return [
        "/",
        "/reports/",
        f"/reports/{a.pk}/",
        f"/reports/{a.pk}/edit/",
        f"/reports/{a.pk}/figures/",
        f"/units/{w.units['own'].code}/deliverables/2022/",
        "/roadmap/2023/",
        f"/objectives/{w.objectives['own'].pk}/",
        "/priorities/2022/",
        "/figures/",
        "/imports/",
        "/imports/new/deliverables/",
        "/notifications/",
        "/search/?q=SP",
        "/cycles/2022/",
        "/meetings/2022/",
        "/bilan/2022/",
    ]


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_main_pages_have_no_serious_accessibility_violation(page, world, language):  # noqa: F811
    found = []
    checked = 0
    for role in ("olga", "bob"):
        log_in(page, role)
        origin = page.evaluate("location.origin")
        page.context.add_cookies([{"name": "django_language", "value": language, "url": origin + "/"}])
        for url in pages(world):
            response = page.goto(url)
            if response.status != 200:
                continue
            page.add_script_tag(url=AXE)
            checked += 1
            for violation in page.evaluate(RUN):
                found.append(f"{role} {url}: {violation['impact']} {violation['id']} {violation['nodes']}")
    print(f"\naxe: {checked} pages checked in {language}, {len(found)} serious or critical violations")
    assert checked >= 20
    assert found == [], "\n".join(found)
