"""The demo loads a 2022 meeting, the seeds' priorities and an approved, tracked 2023 roadmap."""

from io import StringIO

from django.core.management import call_command

from directorates.models import Deliverable
from roadmap.models import Meeting, Priority, ProgressUpdate, Roadmap


def test_demo_loads_meeting_priorities_and_an_approved_tracked_roadmap(db, settings):
    settings.DEBUG = True
    call_command("load_demo", "--quiet-logins", stdout=StringIO())
    meeting = Meeting.objects.get(cycle__year=2022)
    assert meeting.date.isoformat() == "2022-12-22"
    assert meeting.agenda.count() == 10
    assert meeting.agenda.first().directorate.code == "DSP"
    assert meeting.attendance.filter(present=False).count() == 1
    assert Priority.objects.filter(cycle__year=2022).count() == 5
    roadmap = Roadmap.objects.get(year=2023)
    assert (roadmap.state, roadmap.approved_version) == ("approved", 1)
    assert roadmap.versions.count() == 1
    assert roadmap.objectives.filter(state="dropped").count() == 1
    assert roadmap.objectives.filter(source_kind="new").count() == 1
    assert (
        Deliverable.objects.filter(year=2023, origin="roadmap").count()
        == roadmap.objectives.filter(state="active").count()
    )
    assert ProgressUpdate.objects.exists()
