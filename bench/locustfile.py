"""The realistic mix of `make load` (Locust): unit editors and heads, and the DG's office, 1–3 s think time.

- editors (most users) open their report's edit page and save it through the web form, or read and
  PATCH it through the API;
- heads open their report and submit it when it is complete (a 409 for a report already submitted
  is an expected answer, not an error);
- the DG's office opens the cycle dashboard, the report list, the national roadmap and the bilan.

Every save the server acknowledges (a redirect after the form, a 200 after the PATCH) carries a unique
token in the report's summary; each is appended to ``LOAD_ACKS`` so that bench/load.py can check,
after the run, that every acknowledged save is in the database.
"""

import html.parser
import json
import os
import random
import threading
import uuid

from locust import HttpUser, between, task

ACKS = os.environ.get("LOAD_ACKS", "bench/load_acks.jsonl")
PEOPLE = json.loads(open(os.environ.get("LOAD_PEOPLE", "bench/load_people.json")).read())
YEAR, ROADMAP_YEAR, BILAN_YEAR = PEOPLE["year"], PEOPLE["roadmap_year"], PEOPLE["bilan_year"]
PASSWORD = PEOPLE["password"]
_lock = threading.Lock()
_next = {"editor": 0, "head": 0}


def _take(kind):
    with _lock:
        people = PEOPLE[kind]
        person = people[_next[kind] % len(people)]
        _next[kind] += 1
        return person


def _ack(report_id, token, via):
    with _lock, open(ACKS, "a") as out:
        out.write(json.dumps({"report": report_id, "token": token, "via": via}) + "\n")


class _FormFields(html.parser.HTMLParser):
    """The fields of the report edit form, as a browser would post them."""

    def __init__(self):
        super().__init__()
        self.fields, self._select, self._textarea = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "file", "checkbox"):
            self.fields.append([name, attrs.get("value") or ""])
        elif tag == "input" and name and attrs.get("type") == "checkbox" and "checked" in attrs:
            self.fields.append([name, attrs.get("value") or "on"])
        elif tag == "select" and name:
            self._select = [name, ""]
            self.fields.append(self._select)
        elif tag == "option" and self._select is not None and "selected" in attrs:
            self._select[1] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
            self.fields.append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


class _Person(HttpUser):
    abstract = True
    wait_time = between(1, 3)

    def _login(self, username):
        page = self.client.get("/login/", name="login page")
        token = page.cookies.get("csrftoken") or self.client.cookies.get("csrftoken")
        self.client.post(
            "/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="login",
            allow_redirects=False,
        )

    def _csrf(self):
        return self.client.cookies.get("csrftoken", "")


class Editor(_Person):
    weight = 14

    def on_start(self):
        self.person = _take("editor")
        # The token first: once the session cookie is set, DRF checks CSRF on this POST.
        self.api_token = (
            self.client.post(
                "/api/v1/auth/token/",
                json={"username": self.person["username"], "password": PASSWORD},
                name="api token",
            )
            .json()
            .get("token")
        )
        self._login(self.person["username"])

    @task(3)
    def save_with_the_web_form(self):
        report = self.person["report"]
        page = self.client.get(f"/reports/{report}/edit/", name="report edit page")
        if page.status_code != 200 or "summary" not in page.text:
            return  # no longer editable (submitted by the head): nothing to save
        form = _FormFields()
        form.feed(page.text)
        token = f"web-{uuid.uuid4().hex}"
        fields = [[n, token if n == "summary" else v] for n, v in form.fields]
        with self.client.post(
            f"/reports/{report}/edit/",
            data=fields,
            name="report save (web form)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # Saved: back to the edit page. Refused because the head submitted meanwhile: to the report's
            # page, with "it can no longer be changed" (a refusal, not an acknowledgement).
            if response.status_code == 302 and response.headers.get("Location", "").endswith("/edit/"):
                _ack(report, token, "web")
                response.success()
            elif response.status_code == 302:
                response.success()
            elif response.status_code == 200:  # the form came back: someone saved meanwhile (refused, kept)
                response.success()

    @task(2)
    def save_with_the_api(self):
        report = self.person["report"]
        headers = {"Authorization": f"Token {self.api_token}"}
        body = self.client.get(f"/api/v1/reports/{report}/", headers=headers, name="API report").json()
        if body.get("state") not in ("draft", "returned"):
            return
        token = f"api-{uuid.uuid4().hex}"
        outcomes = [
            {"deliverable": o["deliverable"], "status": random.choice(["done", "not_done"])}
            for o in body.get("outcomes", [])[:30]
        ]
        with self.client.patch(
            f"/api/v1/reports/{report}/",
            headers=headers,
            name="API report PATCH",
            json={"version": body["version"], "summary": token, "outcomes": outcomes},
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                _ack(report, token, "api")
            elif response.status_code == 409:  # a colleague saved first: refused, not lost
                response.success()

    @task(1)
    def read_the_report_list(self):
        self.client.get("/reports/", name="report list page (unit)")


class Head(_Person):
    weight = 3

    def on_start(self):
        self.person = _take("head")
        self._login(self.person["username"])

    @task(3)
    def open_the_report(self):
        self.client.get(f"/reports/{self.person['report']}/", name="report page")

    @task(1)
    def submit(self):
        report = self.person["report"]
        with self.client.post(
            f"/reports/{report}/submit/",
            data={"csrfmiddlewaretoken": self._csrf()},
            name="report submit",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code in (302, 303, 409, 400):
                response.success()

    @task(1)
    def unit_roadmap(self):
        self.client.get(f"/roadmap/{ROADMAP_YEAR}/", name="roadmap page (unit)")


class Office(_Person):
    weight = 3

    def on_start(self):
        self._login(PEOPLE["office"])

    @task(3)
    def dashboard(self):
        self.client.get(f"/cycles/{YEAR}/", name="cycle dashboard")

    @task(2)
    def report_list(self):
        self.client.get(f"/reports/?year={YEAR}", name="report list page (office)")

    @task(2)
    def national_roadmap(self):
        self.client.get(f"/roadmap/{ROADMAP_YEAR}/", name="national roadmap page")

    @task(1)
    def objectives_api(self):
        self.client.get(f"/api/v1/objectives/?year={ROADMAP_YEAR}", name="objectives API")

    @task(1)
    def bilan(self):
        self.client.get(f"/bilan/{BILAN_YEAR}/", name="bilan page")
