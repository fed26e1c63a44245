"""Demo organisation: the units of seeds/, their people (password "demo") and their 2022 cahier des charges."""

import datetime
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from core import audit
from directorates import permissions
from directorates.demo_data import DELIVERABLES_2022, UNITS
from directorates.models import Deliverable, Directorate, Membership, User

# Demo accounts only, refused when DEBUG is off; bandit B105 accepted in docs/security.md.
DEMO_PASSWORD = "demo"  # nosec B105


def username(role, code):
    return f"{role}.{code.lower()}"


def demo_email(login):
    """Demo addresses end in .invalid (RFC 2606): nothing can ever be delivered to them. The mails the
    demo sends are read on the demo outbox page (notifications: /notifications/outbox/)."""
    return f"{login}@demo.dgsn.invalid"


def load(stdout):
    password = make_password(DEMO_PASSWORD)  # hashed once: ~100 accounts share it
    admin = User.objects.create(
        username="admin",
        password=password,
        is_superuser=True,
        is_staff=True,
        is_demo=True,
        first_name="Administrateur",
        language="fr",
        email=demo_email("admin"),
    )
    User.objects.create(
        username="dg",
        password=password,
        is_demo=True,
        org_role=User.OrgRole.APPROVER,
        email=demo_email("dg"),
        first_name="Directeur général",
        language="fr",
    )
    office = User.objects.create(
        username="dg.office",
        password=password,
        is_demo=True,
        org_role=User.OrgRole.REVIEWER,
        email=demo_email("dg.office"),
        first_name="Cabinet du DG",
        language="fr",
    )
    # Rights per person: each app's demo gives the office and the DG the groups of its own rights.
    permissions.join(office, permissions.GROUPS)
    units = {}
    for row in UNITS:  # parents come before children in the data
        unit = Directorate(
            code=row["code"],
            kind=row["kind"],
            parent=units.get(row["parent"]),
            name_fr=row["name_fr"],
            name_ar=row["name_ar"],
            name_en=row["name_en"],
        )
        audit.attribute(unit, actor=admin)
        unit.save()
        units[unit.code] = unit
        for role in (Membership.Role.HEAD, Membership.Role.EDITOR):
            login = username(role, unit.code)
            user = User.objects.create(
                username=login,
                password=password,
                is_demo=True,
                email=demo_email(login),
                first_name=f"{role.label} {unit.code}",
                language="fr",
            )
            Membership.objects.create(user=user, directorate=unit, role=role)
    audit.bulk_create(
        Deliverable,
        [
            Deliverable(
                directorate=units[row["unit"]],
                year=2022,
                title=row["title"],
                description=row["description"],
                category=row["category"],
                target_quantity=Decimal(str(row["target_quantity"])) if row["target_quantity"] is not None else None,
                target_unit=row["target_unit"] or "",
                target_date=datetime.date.fromisoformat(row["target_date"]) if row["target_date"] else None,
                due_date=datetime.date.fromisoformat(row["due_date"]),
            )
            for row in DELIVERABLES_2022
        ],
        actor=admin,
        reason="demo",
    )
    stdout.write(f"  {len(units)} units, {len(DELIVERABLES_2022)} deliverables for 2022")


def loaded():
    return Directorate.objects.exists()


def login_summary():
    codes = list(Directorate.objects.values_list("code", flat=True)[:4])
    lines = [
        "Demo logins (password for all: demo; refused when DEBUG is off):",
        "  admin        administrator (organisation, people, cycles) — /admin/",
        "  dg           the Director-General (approves the roadmap and the bilan)",
        "  dg.office    the DG's office (reviews every report; prepares, proposes and approves the roadmap)",
        "  head.<code>  head of a unit, e.g. " + ", ".join(username("head", c) for c in codes),
        "  editor.<code> editor of a unit, e.g. " + ", ".join(username("editor", c) for c in codes),
    ]
    return "\n".join(lines)
