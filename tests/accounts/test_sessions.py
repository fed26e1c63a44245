"""A session ends after 30 minutes without a request, and 10 hours after the login whatever the activity."""

import datetime

import time_machine
from django.conf import settings
from django.urls import reverse


def test_the_timeouts_are_documented_values():
    assert settings.SESSION_IDLE_SECONDS == 30 * 60
    assert settings.SESSION_COOKIE_AGE == 10 * 3600
    assert settings.SESSION_IDLE_SECONDS < settings.SESSION_COOKIE_AGE


def test_an_idle_session_ends_and_the_login_page_says_why(client, bob):
    with time_machine.travel("2026-01-05 09:00 +00:00", tick=False) as traveller:
        client.force_login(bob)
        assert client.get(reverse("reviews:report_list")).status_code == 200
        traveller.shift(datetime.timedelta(minutes=29))
        assert client.get(reverse("reviews:report_list")).status_code == 200
        traveller.shift(datetime.timedelta(minutes=31))
        response = client.get(reverse("reviews:report_list"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        assert 'id="session-ended"' in client.get(response["Location"]).content.decode()
        assert "_auth_user_id" not in client.session


def test_a_busy_session_still_ends_after_ten_hours(client, bob):
    with time_machine.travel("2026-01-05 08:00 +00:00", tick=False) as traveller:
        client.force_login(bob)
        for _ in range(20):  # a request every 25 minutes for 8 h 20
            traveller.shift(datetime.timedelta(minutes=25))
            assert client.get(reverse("reviews:report_list")).status_code == 200
        for _ in range(3):  # 9 h 35
            traveller.shift(datetime.timedelta(minutes=25))
            assert client.get(reverse("reviews:report_list")).status_code == 200
        traveller.shift(datetime.timedelta(minutes=26))  # 10 h 01 after the login
        assert client.get(reverse("reviews:report_list")).status_code == 302
