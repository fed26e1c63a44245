"""The import pages in a real browser: upload, read the row errors, upload again, confirm, see the result."""

import pytest

from directorates.models import Deliverable

from .conftest import DELIVERABLE_HEADERS, deliverable_row, xlsx_bytes


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_editor_imports_a_cahier_des_charges_in_the_browser(page, tmp_path):
    from directorates.models import Membership
    from tests.browser_support import log_in
    from tests.factories import CycleFactory, DirectorateFactory, MembershipFactory, UserFactory

    CycleFactory(year=2022)
    unit = DirectorateFactory(code="SP-A")
    editor = UserFactory(username="bob-browser")
    MembershipFactory(user=editor, directorate=unit, role=Membership.Role.EDITOR)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx_bytes(DELIVERABLE_HEADERS, [deliverable_row(title="A", target_quantity="lots")]))
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx_bytes(DELIVERABLE_HEADERS, [deliverable_row(title="A"), deliverable_row(title="B")]))

    log_in(page, "bob-browser")
    page.goto("/imports/")
    page.click("a[href='/imports/new/deliverables/']")
    page.set_input_files("input[name=file]", str(bad))
    page.click("main button[type=submit]")
    assert "lots" in page.inner_text("#row-errors")
    assert page.locator("#confirm-import").count() == 0
    page.goto("/imports/new/deliverables/")
    page.set_input_files("input[name=file]", str(good))
    page.click("main button[type=submit]")
    assert page.inner_text("#counts").split()[-1] == "0"  # no row with errors
    page.click("#confirm-import")
    assert page.get_attribute("#job-state", "data-state") == "applied"
    assert "B" in page.inner_text("#changes")
    assert page.external_requests == []
    assert set(Deliverable.objects.values_list("title", flat=True)) == {"A", "B"}
