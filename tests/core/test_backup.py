"""make backup / make restore: a backup restored into an empty install gives back the same data and files."""

import pathlib

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from core import backup
from directorates.models import Deliverable, User
from reviews.models import Outcome
from tests.factories import CycleFactory, DeliverableFactory, DirectorateFactory, MembershipFactory, UserFactory
from transfers import services as transfer_services
from transfers.models import ImportJob

pytestmark = pytest.mark.django_db(transaction=True)


def _year_of_work():
    from reviews import services as review_services

    unit = DirectorateFactory(code="SP-A")
    head = UserFactory(username="head-a")
    MembershipFactory(user=head, directorate=unit, role="head")
    cycle = CycleFactory(year=2022)
    for i in range(3):
        DeliverableFactory(directorate=unit, year=2022, title=f"Livrable {i}")
    report = review_services.report_start(actor=head, cycle=cycle, directorate=unit)
    admin = UserFactory(username="root-b", is_superuser=True, is_staff=True)
    # Many-to-many history (a priority's owner units): loading it must not write history of its own.
    from roadmap.models import Priority

    priority = Priority.objects.create(cycle=cycle, code="P1", title_fr="Priorité")
    priority.owners.set([unit])
    content = b"unit_code,year,title\nSP-A,2022,x\n"
    job = transfer_services.import_start(
        actor=admin, kind_key="deliverables", uploaded_file=SimpleUploadedFile("cahier.csv", content)
    )
    return report, job, content


def test_a_backup_restored_into_an_empty_install_is_the_same(tmp_path):
    report, job, content = _year_of_work()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=str(archive))
    before = backup.counts()
    history = list(Deliverable.history.order_by("history_id").values_list("title", "history_user__username"))

    with pytest.raises(CommandError, match="already holds data"):  # never over a live install by mistake
        call_command("restore", str(archive))

    # An empty install: an empty database, no uploaded files.
    call_command("flush", interactive=False, verbosity=0)
    media = pathlib.Path(settings.MEDIA_ROOT)
    for path in sorted(media.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    assert not User.objects.exists() and not any(media.rglob("*.csv"))

    call_command("restore", str(archive))  # raises if anything differs from the manifest
    after = backup.counts()
    rebuilt = ("auth.permission", "contenttypes.contenttype", "admin.logentry")  # by migrate, or not kept
    assert {k: n for k, n in after.items() if k not in rebuilt} == {k: n for k, n in before.items() if k not in rebuilt}
    assert Outcome.objects.filter(report_id=report.pk).count() == 3
    assert list(Deliverable.history.order_by("history_id").values_list("title", "history_user__username")) == history
    restored = ImportJob.objects.get(pk=job.pk)
    with restored.file.open("rb") as handle:
        assert handle.read() == content
    assert User.objects.get(username="head-a").check_password("x") is False  # the hash came back, not reset


def test_restore_reports_a_backup_that_does_not_exist(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "none.tar.gz"))
