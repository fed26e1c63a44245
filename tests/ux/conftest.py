"""The user-experience tests walk every app: they reuse the roadmap's year-end fixtures."""

from tests.roadmap.conftest import accepted_report, approved, draft, in_2023, priorities  # noqa: F401
