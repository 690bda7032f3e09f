"""The one check of query parameters, for every endpoint: API lists and details, releases,
alignment and downloads.

A typo must never silently return everything, and no parameter may make the database do
unbounded work: unknown names, empty values, NUL characters, overlong values, a
single-valued parameter given twice and too many values for one parameter are all 400s
naming the parameter.
"""

from rest_framework import exceptions

from .errors import UnknownQueryParameters

# Per parameter, after splitting comma-separated values: enough for any real question
# (the alignment matrix takes 20 actors), small enough that no URL builds a huge query.
MAX_VALUES = 20
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
MAX_VALUE_LENGTH = 500


def check_query_params(query_params, *, accepted, multi=(), split=()):
    """Raise a 400 (ValidationError) for any parameter that breaks the rules above.

    ``accepted``: every name the endpoint knows; ``multi``: names that may repeat;
    ``split``: names whose values are also comma-separated (they count each part).
    """
    unknown = set(query_params) - set(accepted)
    if unknown:
        raise UnknownQueryParameters(unknown, accepted)
    errors = {}
    for name in query_params:
        values = query_params.getlist(name)
        message = _value_problem(name, values, multi, split)
        if message:
            errors[name] = [message]
    if errors:
        raise exceptions.ValidationError(errors)


def _value_problem(name, values, multi, split):
    if len(values) > 1 and name not in multi:
        return "Give this parameter once."
    for value in values:
        if "\x00" in value:
            return "The value contains a NUL character."
        if not value.strip():
            return "The value is empty: give a value or leave the parameter out."
        if len(value) > MAX_VALUE_LENGTH:
            return f"The value is longer than {MAX_VALUE_LENGTH} characters."
    count = len(values)
    if name in split:
        count = sum(len([part for part in value.split(",") if part.strip()]) for value in values)
    if count > MAX_VALUES:
        return f"At most {MAX_VALUES} values may be given ({count} were)."
    return None


class CheckedQueryMixin:
    """An API view whose ``check_query_params(request)`` runs before its handler.

    A method the view does not answer is a 405 first, whoever asks and whatever the
    parameters: the resource has no such method for anyone, so neither a 403 nor a 400
    about a parameter would be the reason.
    """

    def initial(self, request, *args, **kwargs):
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)
        if "release" in request.query_params and request.method not in SAFE_METHODS:
            raise exceptions.ValidationError(
                {"release": ["A release is read-only: write to the live data, without release."]}
            )
        self.check_query_params(request)
