"""Every API error is JSON in words: ``{"detail": ...}``, plus ``errors`` naming the input.

Database refusals become client errors that say which rule was broken, in the words the
model gives the rule, never the database's own text.
"""

import re
from functools import lru_cache

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, OperationalError, models
from django.db.models.deletion import ProtectedError, RestrictedError
from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions, renderers
from rest_framework import fields as drf_fields
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from common.rules import database_rules


class UnknownQueryParameters(exceptions.ValidationError):
    """A query parameter the endpoint does not know: a typo must never return everything."""

    def __init__(self, unknown, accepted):
        self.accepted = sorted(accepted)
        listing = ", ".join(self.accepted) or "none"
        super().__init__(
            {
                name: [f"Unknown query parameter '{name}'. Accepted parameters: {listing}."]
                for name in sorted(unknown)
            }
        )


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "The object is still referenced by other rows."
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_detail = (
        "The object has changed since you read it (its ETag no longer matches If-Match). "
        "Read it again and reapply your change."
    )
    default_code = "precondition_failed"


class QueryTimeout(exceptions.APIException):
    status_code = 503
    default_detail = (
        "The query took longer than this server allows and was stopped. Narrow it with "
        "filters, or read the data package instead of the API for bulk work."
    )
    default_code = "query_timeout"


def error_body(exc, data):
    """Every error has a ``detail``; errors about named inputs also have ``errors``."""
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {api_settings.NON_FIELD_ERRORS_KEY: data}
        names = ", ".join(errors)
        body = {"detail": f"Invalid input: {names}.", "errors": errors}
        if isinstance(exc, UnknownQueryParameters):
            body["detail"] = f"Unknown query parameter: {names}."
            body["accepted"] = exc.accepted
        return body
    if isinstance(data, dict) and "detail" in data:
        return data
    return {"detail": data}


def as_api_exception(exc):
    """DRF's exception for a Django or database exception that is the client's doing."""
    if isinstance(exc, (ProtectedError, RestrictedError)):
        blocking = sorted({obj._meta.verbose_name for obj in exc.args[1]})
        return Conflict(f"Cannot delete: still referenced by {', '.join(blocking)} rows.")
    if isinstance(exc, OperationalError) and is_timeout(exc):
        return QueryTimeout()
    if isinstance(exc, (IntegrityError, DataError)):
        return exceptions.ValidationError(database_error_detail(exc))
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(django_error_detail(exc))
    return exc


def exception_handler(exc, context):
    """DRF's handler, with database refusals turned into client errors and one JSON shape."""
    exc = as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is not None and not isinstance(renderer, renderers.JSONRenderer):
        # Errors are JSON even when the client asked for a CSV, a GeoJSON or a web page.
        if not isinstance(renderer, renderers.BrowsableAPIRenderer):
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = request.accepted_renderer.media_type
    response.data = error_body(exc, response.data)
    return response


def django_error_detail(exc):
    detail = drf_fields.get_error_detail(exc)
    if isinstance(detail, dict) and NON_FIELD_ERRORS in detail:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
    return detail


# ---------------------------------------------------------------------------------------
# Database errors in words

TIMEOUT_MARKERS = ("statement timeout", "canceling statement", "interrupted")
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)")
_NOT_NULL = re.compile(r'NOT NULL constraint failed: \w+\.(\w+)|column "(\w+)".*not-null')


def is_timeout(error):
    text = str(error).lower()
    return any(marker in text for marker in TIMEOUT_MARKERS)


@lru_cache(maxsize=1)
def _rules():
    """{constraint name: (field or None, message)} for every model of the project, and
    {(table, (columns...)): (field, message)} for unique constraints (SQLite's messages
    name the columns, not the constraint)."""
    by_name, by_columns = {}, {}
    for model in apps.get_models():
        meta = model._meta
        for constraint in meta.constraints:
            field = getattr(constraint, "field", None)
            if constraint.violation_error_message != constraint.default_violation_error_message:
                message = str(constraint.violation_error_message)
            elif isinstance(constraint, models.UniqueConstraint):
                fields = ", ".join(constraint.fields) or constraint.name
                message = f"Another {meta.verbose_name} already has the same {fields}."
            else:
                message = f"The {meta.verbose_name} breaks the rule '{constraint.name}'."
            by_name[constraint.name] = (field, message)
            if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
                columns = tuple(meta.get_field(name).column for name in constraint.fields)
                by_columns[(meta.db_table, columns)] = (field, message)
        for model_field in meta.concrete_fields:
            if model_field.unique and not model_field.primary_key:
                message = (
                    f"Another {meta.verbose_name} already has this {model_field.verbose_name}."
                )
                by_columns[(meta.db_table, (model_field.column,))] = (model_field.name, message)
    return by_name, by_columns


def database_error_detail(error):
    """``{field or non_field_errors: [message]}`` for a database refusal, in words."""
    text = str(error)
    by_name, by_columns = _rules()
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    # Longest names first: "event_source_unique" must not match as "event_source".
    for rule in database_rules():
        if rule.name in text:
            message = rule.depth_message if rule.depth_message in text else rule.message
            return {rule.field: [message]}
    for name in sorted(by_name, key=len, reverse=True):
        if name in text:
            field, message = by_name[name]
            return {field or non_field: [message]}
    unique = _SQLITE_UNIQUE.search(text)
    if unique:
        parts = [part.strip().split(".") for part in unique.group(1).split(",")]
        if parts and all(len(part) == 2 for part in parts):
            key = (parts[0][0], tuple(column for _table, column in parts))
            if key in by_columns:
                field, message = by_columns[key]
                return {field or non_field: [message]}
        return {non_field: ["Another row already has the same key."]}
    not_null = _NOT_NULL.search(text)
    if not_null:
        column = not_null.group(1) or not_null.group(2)
        return {column: ["This field may not be empty."]}
    if "FOREIGN KEY" in text or "foreign key" in text:
        return {non_field: ["The row refers to a row that does not exist."]}
    if isinstance(error, DataError) or "out of range" in text or "too large" in text:
        return {non_field: ["A value is out of the range the database can store."]}
    return {non_field: ["The database refused the change: it breaks a rule of the data model."]}


# ---------------------------------------------------------------------------------------
# Errors outside DRF's views


def is_api(request):
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    """Django's 404 outside DRF views (an unknown API path) is JSON under /api/ too."""
    if is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
