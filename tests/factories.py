import datetime

import factory
from django.contrib.auth.hashers import make_password

from directorates import permissions as unit_permissions
from directorates.models import Deliverable, Directorate, Membership, User
from figures import permissions as figure_permissions
from reviews import permissions as review_permissions
from reviews.models import ReviewCycle
from roadmap import permissions as roadmap_permissions


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.LazyFunction(lambda: make_password("secret-pass-123"))
    email = factory.LazyAttribute(lambda u: f"{u.username}@dgsn.local")


class DirectorateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Directorate

    code = factory.Sequence(lambda n: f"U{n:04d}")
    kind = Directorate.Kind.PROVINCIAL_SECURITY
    name_fr = factory.LazyAttribute(lambda u: f"Sûreté {u.code}")
    name_ar = factory.LazyAttribute(lambda u: f"الأمن {u.code}")
    name_en = factory.LazyAttribute(lambda u: f"Security {u.code}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    directorate = factory.SubFactory(DirectorateFactory)
    role = Membership.Role.HEAD


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewCycle
        django_get_or_create = ("year",)

    year = 2022
    submission_deadline = factory.LazyAttribute(lambda c: datetime.date(c.year, 12, 9))
    meeting_date = factory.LazyAttribute(lambda c: datetime.date(c.year, 12, 22))


class DeliverableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deliverable

    directorate = factory.SubFactory(DirectorateFactory)
    year = 2022
    title = factory.Sequence(lambda n: f"Livrable {n}")
    category = Deliverable.Category.OPERATIONS
    target_quantity = 5
    target_unit = "équipes"
    due_date = factory.LazyAttribute(lambda d: datetime.date(d.year, 12, 31))


def office_rights():
    """The rights the data migration gives the people who had the reviewer role: {right: its group}."""
    return {
        **unit_permissions.GROUPS,
        **review_permissions.GROUPS,
        roadmap_permissions.PREPARE_ROADMAP: roadmap_permissions.GROUPS[roadmap_permissions.PREPARE_ROADMAP],
        figure_permissions.PREPARE_BILAN: figure_permissions.GROUPS[figure_permissions.PREPARE_BILAN],
    }


def dg_rights():
    """The rights the data migration gives the people who had the approver role: {right: its group}."""
    return {
        roadmap_permissions.APPROVE_ROADMAP: roadmap_permissions.GROUPS[roadmap_permissions.APPROVE_ROADMAP],
        figure_permissions.APPROVE_BILAN: figure_permissions.GROUPS[figure_permissions.APPROVE_BILAN],
    }


def office_user(**kwargs):
    """A person of the DG's office with the office's usual rights (as the migration gives a former reviewer)."""
    user = UserFactory(org_role=User.OrgRole.REVIEWER, **kwargs)
    unit_permissions.join(user, office_rights())
    return user
