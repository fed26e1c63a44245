"""The domain error hierarchy raised by services.

The API turns these into 400/403/404/409 and the web into form messages, so a
rule is written once and obeyed everywhere.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise

# Field name → the messages about it (a form's or a request body's fields); a list's items nest their own.
FieldErrors = dict[str, list[str]]


class DomainError(Exception):
    """Base class. ``message`` is shown to the user; ``errors`` maps fields to messages."""

    status_code = 400

    def __init__(self, message: str | Promise, *, errors: Mapping[str, object] | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.errors: Mapping[str, Any] = errors or {}


class ValidationFailed(DomainError):
    status_code = 400


class NotAllowed(DomainError):
    """The actor may not do this (role or unit)."""

    status_code = 403


class InvalidTransition(DomainError):
    """The object is not in a state that allows this move (or someone else moved it first)."""

    status_code = 409
