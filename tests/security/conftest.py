"""The security tests reuse the roadmap's world: unit A's accepted 2022 report, priorities, a 2023 roadmap."""

from tests.roadmap.conftest import accepted_report, approved, draft, priorities  # noqa: F401 (fixtures)
