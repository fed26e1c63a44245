"""API plumbing shared by every app: pagination and the single error shape."""

import hashlib
import json

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError
from core.pagination import DeferredJoinPaginator


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class DeferredJoinPagination(Pagination):
    """For wide lists ordered by a joined column: the page's keys first, then its rows (core.pagination)."""

    django_paginator_class = DeferredJoinPaginator


def _flatten(detail):
    if isinstance(detail, dict):
        return {key: _flatten_list(value) for key, value in detail.items()}
    return {}


def _flatten_list(value):
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            if isinstance(item, dict):
                out.append({k: _flatten_list(v) for k, v in item.items()})
            else:
                out.append(str(item))
        return out
    if isinstance(value, dict):
        return {k: _flatten_list(v) for k, v in value.items()}
    return [str(value)]


def exception_handler(exc, context):
    """Every error is ``{"detail": "...", "errors": {field: [messages]}}``."""
    if isinstance(exc, DomainError):
        return Response(
            {"detail": str(exc.message), "errors": _flatten(exc.errors)},
            status=exc.status_code,
        )
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": str(_("The request body is too large.")), "errors": {}},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        return Response(
            {"detail": str(_("The request was refused.")), "errors": {}}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"detail": "Invalid input.", "errors": _flatten(errors)}
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        response.data = {"detail": str(detail), "errors": {}}
    return response


# ---------------------------------------------------------------- optimistic concurrency


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = _(
        "Send the version you read: the If-Match header with the ETag of your GET "
        '(or the report\'s "version"). Without it a change made meanwhile would be overwritten.'
    )
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("Someone else changed this meanwhile: read it again and re-apply your change.")
    default_code = "precondition_failed"


def representation_etag(data):
    """A strong ETag of what a GET returns: any change to the object changes it."""
    text = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False)
    return f'"{hashlib.sha256(text.encode()).hexdigest()[:32]}"'


def if_match_tags(request):
    header = request.headers.get("If-Match")
    if header is None:
        return None
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


class ConditionalWriteMixin:
    """Every content write through the API names the version it read (design: "nothing submitted silently
    changes afterwards"): GET answers an ``ETag``; PATCH and PUT need ``If-Match`` with it, else 428, and
    412 when the object changed meanwhile. Views call :meth:`require_unchanged` once they know the caller
    may write (a caller without the right still gets the service's 403)."""

    def etag_from_data(self, data):
        return representation_etag(data)

    def etag(self, obj):
        return self.etag_from_data(self.get_serializer(obj).data)

    def retrieve(self, request, *args, **kwargs):
        return self.with_etag(super().retrieve(request, *args, **kwargs))

    def require_unchanged(self, obj, *, may_write=True):
        if not may_write:
            return
        tags = if_match_tags(self.request)
        if not tags:
            raise PreconditionRequired()
        if "*" not in tags and self.etag(obj) not in tags:
            raise PreconditionFailed()

    def with_etag(self, response):
        if isinstance(response.data, dict) and response.status_code < 300:
            response["ETag"] = self.etag_from_data(response.data)
        return response


class Router(DefaultRouter):
    """Ids in paths are digits that fit the id column: ``/reports/abc/`` and ``/reports/1e99/`` are 404."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if getattr(viewset, "lookup_field", "pk") == "pk" and not getattr(viewset, "lookup_value_regex", None):
            return f"(?P<{lookup_prefix}pk>[0-9]{{1,18}})"
        return super().get_lookup_regex(viewset, lookup_prefix)
