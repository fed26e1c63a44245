"""Which reminders are due when, to whom, exactly once: time frozen, tasks eager, e-mails in locmem."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from directorates.models import User
from notifications import services
from notifications.models import Delivery, ReminderPolicy
from reviews import services as review_services
from reviews.models import ReportState
from tests.conftest import fill
from tests.factories import DirectorateFactory, MembershipFactory, UserFactory
from tests.notifications.conftest import deadline_minus

pytestmark = pytest.mark.django_db


def of_kind(rows, kind):
    return [row for row in rows if row.kind == kind]


def recipients(rows):
    return sorted(row.recipient.username for row in rows)


@pytest.fixture
def units(cycle, alice, bob, victor, charlie, olga, report_a):
    """Unit A (head alice, editor bob, viewer victor) has a draft; unit B (head charlie) has none."""
    return report_a


@pytest.mark.parametrize("offset", [30, 14, 7, 3, 1])
def test_each_offset_reminds_the_head_and_editors_of_units_that_have_not_submitted(units, cycle, at, dispatch, offset):
    at(deadline_minus(cycle, offset))
    rows = of_kind(dispatch(), "deadline_reminder")
    assert recipients(rows) == ["alice", "bob", "charlie"]  # the viewer and the office are not reminded
    assert {row.occasion.rsplit("/", 1)[1] for row in rows} == {f"d-{offset}"}
    assert all(row.state == Delivery.State.SENT for row in rows)
    sent = [m for m in mail.outbox if "deadline" in m.subject]
    assert len(sent) == 3
    assert f"{offset} day" in sent[0].subject
    to_alice = next(m for m in sent if m.to == ["alice@dgsn.local"])
    assert f"http://127.0.0.1:8000/reports/{units.pk}/" in to_alice.body  # the link to the report
    assert sent[0].alternatives[0][1] == "text/html"


def test_running_the_due_check_twice_sends_nothing_twice(units, cycle, at, dispatch):
    at(deadline_minus(cycle, 7))
    first = of_kind(dispatch(), "deadline_reminder")
    outbox = len(mail.outbox)
    assert of_kind(dispatch(), "deadline_reminder") == []
    at(deadline_minus(cycle, 7), hour=18)
    assert of_kind(dispatch(), "deadline_reminder") == []
    assert len(first) == 3 and len(mail.outbox) == outbox


def test_no_reminder_between_offsets(units, cycle, at, dispatch):
    at(deadline_minus(cycle, 14))
    dispatch()
    for days in (13, 10, 8):
        at(deadline_minus(cycle, days))
        assert of_kind(dispatch(), "deadline_reminder") == []


def test_a_reminder_missed_while_the_scheduler_was_down_goes_out_once_on_the_next_run(units, cycle, at, dispatch):
    at(deadline_minus(cycle, 5))  # nothing ran on J-7
    rows = of_kind(dispatch(), "deadline_reminder")
    assert {row.occasion.rsplit("/", 1)[1] for row in rows} == {"d-7"}
    assert rows[0].context["days_left"] == 5
    at(deadline_minus(cycle, 4))
    assert of_kind(dispatch(), "deadline_reminder") == []


def test_nothing_is_sent_before_the_policy_hour(units, cycle, at, dispatch):
    at(deadline_minus(cycle, 7), hour=6)
    assert of_kind(dispatch(), "deadline_reminder") == []
    at(deadline_minus(cycle, 7), hour=8)
    assert len(of_kind(dispatch(), "deadline_reminder")) == 3


def test_submitted_and_accepted_units_get_no_reminder(units, cycle, alice, olga, at, dispatch):
    at(deadline_minus(cycle, 14))
    fill(units, alice)
    review_services.report_submit(actor=alice, report=units)
    assert recipients(of_kind(dispatch(), "deadline_reminder")) == ["charlie"]
    review_services.report_accept(actor=olga, report=units)
    at(deadline_minus(cycle, 7))
    assert recipients(of_kind(dispatch(), "deadline_reminder")) == ["charlie"]
    at((cycle.submission_deadline + datetime.timedelta(days=1)).isoformat())
    rows = dispatch()
    assert recipients(of_kind(rows, "overdue_reminder")) == ["charlie"]
    digest = of_kind(rows, "office_digest")[0]
    assert [u["unit_code"] for u in digest.context["units"]] == ["WS-B", "WS-R"]  # SP-A is done


def test_a_returned_report_is_reminded_again(units, cycle, alice, olga, at, dispatch):
    at(deadline_minus(cycle, 14))
    fill(units, alice)
    review_services.report_submit(actor=alice, report=units)
    review_services.report_return(actor=olga, report=units, comment="Chiffres manquants")
    at(deadline_minus(cycle, 7))
    assert recipients(of_kind(dispatch(), "deadline_reminder")) == ["alice", "bob", "charlie"]


def test_the_policy_offsets_are_the_administrators(units, cycle, at, dispatch):
    ReminderPolicy.objects.create(cycle=cycle, offsets=[10, 2])
    at(deadline_minus(cycle, 10))
    assert {row.occasion.rsplit("/", 1)[1] for row in of_kind(dispatch(), "deadline_reminder")} == {"d-10"}
    at(deadline_minus(cycle, 7))
    assert of_kind(dispatch(), "deadline_reminder") == []  # J-7 is not in the policy any more
    at(deadline_minus(cycle, 2))
    rows = of_kind(dispatch(), "deadline_reminder")
    assert {row.occasion.rsplit("/", 1)[1] for row in rows} == {"d-2"}


def test_an_overdue_report_reminds_its_head_every_day_until_the_meeting(units, cycle, at, dispatch):
    for day in (1, 2, 3):
        at((cycle.submission_deadline + datetime.timedelta(days=day)).isoformat())
        rows = of_kind(dispatch(), "overdue_reminder")
        assert recipients(rows) == ["alice", "charlie"]  # heads only
        assert rows[0].context["days_late"] == day
        assert of_kind(dispatch(), "overdue_reminder") == []  # once a day
    at((cycle.meeting_date + datetime.timedelta(days=1)).isoformat())
    assert of_kind(dispatch(), "overdue_reminder") == []


def test_the_dg_office_gets_one_digest_a_day_listing_every_late_unit(units, cycle, at, dispatch):
    at((cycle.submission_deadline + datetime.timedelta(days=2)).isoformat())
    rows = of_kind(dispatch(), "office_digest")
    assert recipients(rows) == ["olga"]
    units_listed = {u["unit_code"]: u for u in rows[0].context["units"]}
    assert set(units_listed) == {"SP-A", "WS-B", "WS-R"}  # every active unit, people or not
    assert units_listed["SP-A"]["days_late"] == 2
    assert (units_listed["SP-A"]["state"], units_listed["SP-A"]["filled"], units_listed["SP-A"]["total"]) == (
        "draft",
        0,
        2,
    )
    assert units_listed["WS-B"]["state"] == "missing"
    message = next(m for m in mail.outbox if m.to == [rows[0].recipient.email])
    assert "3 units" in message.subject
    assert "SP-A" in message.body and "draft, 0 of 2 outcomes stated" in message.body
    assert "no report started" in message.body and "2 days late" in message.body
    assert of_kind(dispatch(), "office_digest") == []


def test_no_digest_when_no_unit_is_late(cycle, olga, at, dispatch):
    at((cycle.submission_deadline + datetime.timedelta(days=1)).isoformat())
    assert of_kind(dispatch(), "office_digest") == []


def test_the_meeting_invitation_carries_an_ics_file(units, cycle, rita, dino, at, dispatch):
    at("2022-11-01")
    rows = of_kind(dispatch(), "meeting_invitation")
    assert recipients(rows) == ["alice", "charlie", "dino", "olga", "rita"]  # heads, the office, the DG
    message = next(m for m in mail.outbox if m.to == ["alice@dgsn.local"] and "Invitation" in m.subject)
    name, content, mimetype = message.attachments[0]
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    assert "DTSTART;VALUE=DATE:20221222\r\n" in content and content.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in content.split("\r\n"))
    at("2022-11-02")
    assert of_kind(dispatch(), "meeting_invitation") == []


def test_a_reminder_the_day_before_the_meeting(units, cycle, at, dispatch):
    at("2022-12-20")
    assert of_kind(dispatch(), "meeting_eve_reminder") == []
    at("2022-12-21")
    assert len(of_kind(dispatch(), "meeting_eve_reminder")) == 3  # alice, charlie, olga


def test_a_returned_report_notifies_the_unit_at_once_with_the_comment(
    submitted_report, olga, bob, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review_services.report_return(actor=olga, report=submitted_report, comment="Joindre les justificatifs")
    rows = Delivery.objects.filter(kind="report_returned").select_related("recipient")
    assert recipients(rows) == ["alice", "bob"]
    assert {row.state for row in rows} == {Delivery.State.SENT}
    message = next(m for m in mail.outbox if m.to == ["bob@dgsn.local"])
    assert "returned" in message.subject
    assert "Joindre les justificatifs" in message.body
    assert "Joindre les justificatifs" in message.alternatives[0][0]
    assert f"/reports/{submitted_report.pk}/" in message.body


def test_a_submission_notifies_the_dg_office(filled_report, alice, olga, frozen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review_services.report_submit(actor=alice, report=filled_report)
    rows = Delivery.objects.filter(kind="report_submitted").select_related("recipient")
    assert recipients(rows) == ["olga"]
    assert mail.outbox[-1].to == ["olga@dgsn.local"] and "submitted" in mail.outbox[-1].subject


def test_an_event_notice_missed_by_the_broker_is_sent_by_the_next_due_check(
    filled_report, alice, olga, frozen, django_capture_on_commit_callbacks, monkeypatch
):
    from kombu.exceptions import OperationalError

    from notifications import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(tasks.notify_report_event, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        report = review_services.report_submit(actor=alice, report=filled_report)
    assert report.state == ReportState.SUBMITTED  # the submission stands
    assert not Delivery.objects.filter(kind="report_submitted").exists()
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_dispatch()
        services.reminders_dispatch()
    assert Delivery.objects.get(kind="report_submitted").state == Delivery.State.SENT
    assert len([m for m in mail.outbox if "submitted" in m.subject]) == 1


def test_messages_follow_the_recipients_language(units, cycle, alice, at, dispatch):
    alice.language = "ar"
    alice.save()
    at(deadline_minus(cycle, 7))
    dispatch()
    message = next(m for m in mail.outbox if m.to == ["alice@dgsn.local"])
    html = message.alternatives[0][0]
    assert 'lang="ar" dir="rtl"' in html
    assert units.directorate.name_ar in message.body  # the unit's Arabic name
    assert message.extra_headers["Content-Language"] == "ar"


def test_a_person_without_e_mail_gets_the_in_app_notification_only(units, cycle, bob, at, dispatch):
    bob.email = ""
    bob.save()
    at(deadline_minus(cycle, 7))
    row = next(r for r in dispatch() if r.recipient == bob)
    row.refresh_from_db()
    assert row.state == Delivery.State.IN_APP and row.read_at is None


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        raise ConnectionRefusedError("SMTP server down")

    def close(self):
        pass


def test_a_message_that_cannot_be_sent_stays_failed_and_is_retried_with_back_off(units, cycle, at, dispatch, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_reminders.BrokenBackend"
    now = at(deadline_minus(cycle, 7))
    rows = of_kind(dispatch(), "deadline_reminder")
    row = Delivery.objects.get(pk=rows[0].pk)
    assert row.state == Delivery.State.FAILED and row.attempts == 1
    assert "SMTP server down" in row.last_error
    assert row.next_attempt_at == now + datetime.timedelta(minutes=1)
    at(deadline_minus(cycle, 7), hour=11)  # an hour later: retried, still failing, back-off doubles
    dispatch()
    row.refresh_from_db()
    assert row.attempts == 2 and row.next_attempt_at > now + datetime.timedelta(hours=1)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    at(deadline_minus(cycle, 7), hour=12)
    dispatch()
    row.refresh_from_db()
    assert row.state == Delivery.State.SENT and row.last_error == "" and row.attempts == 3
    assert len([m for m in mail.outbox if m.to == [row.recipient.email] and "deadline" in m.subject]) == 1


def test_the_database_refuses_a_second_row_for_the_same_occasion(units, cycle, alice, at, dispatch):
    at(deadline_minus(cycle, 7))
    row = of_kind(dispatch(), "deadline_reminder")[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(kind=row.kind, occasion=row.occasion, recipient=row.recipient)


def test_sending_the_same_ids_twice_sends_once(units, cycle, at):
    at(deadline_minus(cycle, 7))
    services.reminders_compute_due()
    ids = list(Delivery.objects.values_list("pk", flat=True))
    first = services.deliveries_send(ids=ids)
    second = services.deliveries_send(ids=ids)
    assert first["sent"] == len(ids) and second["sent"] == 0
    assert len(mail.outbox) == len(ids)


def test_a_new_kind_is_a_small_addition(units, cycle, at, dispatch, monkeypatch, settings, tmp_path):
    """What roadmap does for milestones: a class with due() and subject(), two templates."""
    from notifications import registry

    class Ping(registry.ReminderKind):
        key = "ping"
        label = "Ping"

        def due(self, *, today, now, policies):
            yield registry.Due(
                units.directorate.memberships.get(role="head").user_id, f"ping:{today}", {"year": 2022, "path": "/"}
            )

        def subject(self, context):
            return "Ping"

    (tmp_path / "notifications" / "email").mkdir(parents=True)
    (tmp_path / "notifications" / "email" / "ping.txt").write_text("pong {{ link }}")
    (tmp_path / "notifications" / "email" / "ping.html").write_text("<p>pong</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    monkeypatch.setitem(registry.REGISTRY, "ping", Ping())
    at("2022-11-20")
    assert [(r.kind, r.recipient.username) for r in of_kind(dispatch(), "ping")] == [("ping", "alice")]
    assert mail.outbox[-1].body.startswith("pong http")


def test_other_kinds_stay_unaffected_for_a_closed_cycle(units, cycle, olga, at, dispatch):
    review_services.cycle_close(actor=olga, cycle=cycle)
    at(deadline_minus(cycle, 7))
    assert dispatch() == []


def test_new_members_are_reminded_but_people_already_reminded_are_not(units, cycle, at, dispatch):
    at(deadline_minus(cycle, 7))
    dispatch()
    newcomer = MembershipFactory(directorate=units.directorate, role="editor", user=UserFactory(username="nadia"))
    DirectorateFactory(code="SP-NEW")  # a unit without people: nobody to remind
    at(deadline_minus(cycle, 6))
    assert recipients(of_kind(dispatch(), "deadline_reminder")) == [newcomer.user.username]


def test_switched_off_reminders_are_not_sent(units, cycle, at, dispatch):
    ReminderPolicy.objects.create(cycle=cycle, overdue_daily=False, office_digest=False, meeting_invitation=False)
    at((cycle.submission_deadline + datetime.timedelta(days=1)).isoformat())
    assert dispatch() == []


def test_the_policy_refuses_offsets_that_are_not_days(cycle):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        ReminderPolicy(cycle=cycle, offsets=["J-7"]).full_clean()
    ReminderPolicy(cycle=cycle, offsets=[21, 7]).full_clean()


def test_the_send_due_reminders_command_runs_the_due_check(units, cycle, at):
    from io import StringIO

    from django.core.management import call_command

    at(deadline_minus(cycle, 7))
    out = StringIO()
    call_command("send_due_reminders", stdout=out)
    assert "new messages claimed" in out.getvalue()
    assert Delivery.objects.filter(kind="deadline_reminder").count() == 3


def test_plain_text_is_not_html_escaped(units, cycle, at, dispatch):
    units.directorate.name_fr = "Sûreté d'El Jadida & Azemmour"
    units.directorate.save()
    User.objects.filter(username="alice").update(language="fr")
    at(deadline_minus(cycle, 7))
    dispatch()
    message = next(m for m in mail.outbox if m.to == ["alice@dgsn.local"])
    assert "Sûreté d'El Jadida & Azemmour" in message.body
    assert "Sûreté d&#x27;El Jadida &amp; Azemmour" in message.alternatives[0][0]
