"""API plumbing shared by every app: pagination and the single error shape."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


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
