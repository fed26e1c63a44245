"""The approved roadmap appears at the end of the previous year's bilan, never a draft."""

import pytest

from figures.bilan import roadmap_objectives


@pytest.mark.django_db
def test_bilan_lists_the_approved_version_only():
    from django.core.management import call_command
    from django.test import override_settings

    with override_settings(DEBUG=True):
        call_command("load_demo", "--quiet-logins")
    objectives = roadmap_objectives(2023)
    assert objectives, "the demo approves a 2023 roadmap"
    assert all(set(o) == {"title", "unit", "domain"} for o in objectives)
    from roadmap.models import Objective

    dropped = Objective.objects.filter(roadmap__year=2023, state="dropped").values_list("title", flat=True)
    assert not set(dropped) & {o["title"] for o in objectives}
    assert roadmap_objectives(2031) == []
