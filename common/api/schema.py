"""The OpenAPI schema documents the whole contract, so that clients (and fuzzers) know it:
which statuses an operation may answer, with which JSON body, who may call it, and what each
query parameter accepts (the rules of ``params.check_query_params``, stated once there)."""

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import permissions, serializers

from .pagination import positive_int
from .params import MAX_VALUE_LENGTH, MAX_VALUES
from .serializers import DatasetSerializer

# What is wrong with one input: its messages; for a list, each item's own errors in order
# ({} for an item without any); for an object (a nested row, or a list given by index), the
# errors of each of its keys.
FIELD_ERRORS = ResolvedComponent(
    name="FieldErrors",
    type=ResolvedComponent.SCHEMA,
    object="FieldErrors",
    schema={
        "description": "Messages about one input; for a list or an object, its items' or keys' "
        "own errors.",
        "oneOf": [
            {
                "type": "array",
                "items": {
                    "oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/FieldErrors"}]
                },
            },
            {
                "type": "object",
                "additionalProperties": {"$ref": "#/components/schemas/FieldErrors"},
            },
        ],
    },
)


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"$ref": FIELD_ERRORS.ref["$ref"]},
        "description": "{parameter or field: what is wrong with it}.",
    }
)
class FieldErrorsField(serializers.DictField):
    pass


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in words.")


class InvalidInputSerializer(ErrorSerializer):
    # A body that is not JSON at all has no input to name: it has only a detail.
    errors = FieldErrorsField(required=False)
    accepted = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="For an unknown query parameter: the parameters this endpoint accepts.",
    )


ERRORS = {
    "400": (InvalidInputSerializer, "A query parameter or a field of the body is invalid."),
    "401": (ErrorSerializer, "A write needs credentials (a token or a session)."),
    "403": (ErrorSerializer, "The user lacks the permission for this write."),
    "404": (ErrorSerializer, "No such object, or a page past the end."),
    "406": (ErrorSerializer, "The requested ?format= is not available here."),
    "409": (ErrorSerializer, "Cannot delete: other rows still refer to this one."),
    "412": (ErrorSerializer, "If-Match did not match the object's current ETag."),
    "413": (ErrorSerializer, "The body is larger than this server accepts."),
    "415": (ErrorSerializer, "The body is not JSON (see its Content-Type)."),
    "429": (ErrorSerializer, "Too many anonymous requests; see Retry-After."),
    "503": (ErrorSerializer, "The query took longer than the server allows."),
}


def _boolean(name, description):
    return OpenApiParameter(name, OpenApiTypes.STR, enum=["true", "false"], description=description)


BOM = _boolean(
    "bom",
    "With format=csv: true starts the file with a UTF-8 byte-order mark, for Excel.",
)
WIDE = _boolean(
    "wide",
    "With format=csv: true gives one spreadsheet-ready row per record, with the names of its "
    "actors and issue, its participants and its citations in cells; text that a spreadsheet "
    "would run as a formula is prefixed with an apostrophe.",
)


# Text the API reads has no NUL (no database column can hold one); text that may not be
# blank has a character other than white space (DRF trims it). Text that may be blank is
# documented as "" or SOME_TEXT (drf-spectacular adds the "" option: both must not match it).
SOME_TEXT = r"^[^\x00]+$"
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"
# A query value: not blank, no NUL, not too long (params.check_query_params).
QUERY_TEXT = {"minLength": 1, "maxLength": MAX_VALUE_LENGTH, "pattern": NOT_BLANK}
PAGE_MAX = positive_int.__kwdefaults__["maximum"]


def fields_parameter(view):
    return OpenApiParameter(
        "fields",
        {
            "type": "array",
            "items": {"type": "string", "enum": list(view.get_rows().fields)},
            "minItems": 1,
        },
        style="form",
        explode=False,
        description="Comma-separated keys to return (JSON only), e.g. id,title,date_start.",
    )


def constrain_query_parameter(parameter, paginator, filter_=None):
    """The parameter's schema with the rules every query parameter is held to, and the
    number of values its filter takes when that is fixed (``values_count``)."""
    schema = parameter.get("schema")
    if parameter.get("in") != "query" or not isinstance(schema, dict):
        return
    count = getattr(filter_, "values_count", None)
    if count is not None and schema.get("type") == "array":
        schema.update({"minItems": count, "maxItems": count})
    if (
        paginator is not None
        and parameter["name"] in (paginator.page_query_param, paginator.page_size_query_param)
        and schema.get("type") == "integer"
    ):
        schema.update({"minimum": 1, "maximum": PAGE_MAX})
    if schema.get("type") == "array":
        # An empty list is sent as an empty value (?ordering=), which is refused.
        schema.setdefault("minItems", 1)
        # Repeated values are counted; a list in one value (?ordering=a,b) is held to the
        # value's length instead.
        if parameter.get("explode", True):
            schema.setdefault("maxItems", MAX_VALUES)
        schema = schema.get("items", {})
    if schema.get("type") == "string" and not {"enum", "format", "pattern"} & set(schema):
        schema.update(QUERY_TEXT)


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description="The ETag of the object as last read: the write is refused with 412 if the "
    "object has changed since (optimistic concurrency).",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description="The ETag of the response as last read: 304 without a body if it is unchanged.",
)
NOT_MODIFIED = {"description": "Unchanged since the ETag given in If-None-Match."}


RELEASE = OpenApiParameter(
    "release",
    OpenApiTypes.STR,
    pattern=r"^(latest|(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8}))$",
    description="A published release (e.g. 1.1.0, or latest): answer from it exactly as "
    "published instead of from the live data (the Dataset-Version header says which). An "
    "unknown version is a 404.",
)


class AutoSchema(BaseAutoSchema):
    def get_auth(self):
        auths = super().get_auth()
        # DRF's DjangoModelPermissionsOrAnonReadOnly (the API's default): anyone reads.
        public_read = self.method in permissions.SAFE_METHODS and any(
            getattr(permission, "authenticated_users_only", True) is False
            for permission in self.view.get_permissions()
        )
        if public_read and {} not in auths:
            auths.append({})
        return auths

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if direction == "response" and isinstance(serializer, DatasetSerializer):
            # ?fields= returns only the keys it names, so no key is always there.
            schema.pop("required", None)
            note = "Every key is returned unless ?fields= names the keys to return."
            schema["description"] = f"{schema.get('description', '')}\n\n{note}".strip()
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction != "request" or not isinstance(schema, dict):
            return schema
        if schema.get("type") == "array" and getattr(field, "allow_empty", True) is False:
            schema["minItems"] = max(schema.get("minItems", 0), 1)
        if (
            isinstance(field, serializers.CharField)
            and schema.get("type") == "string"
            and not {"enum", "format", "pattern"} & set(schema)
        ):
            schema["pattern"] = NOT_BLANK if schema.get("minLength", 0) >= 1 else SOME_TEXT
        return schema

    def _get_parameters(self):
        parameters = super()._get_parameters()
        paginator = getattr(self.view, "paginator", None) if self._is_list_view() else None
        filterset = getattr(self.view, "filterset_class", None)
        filters = filterset.base_filters if filterset is not None else {}
        for parameter in parameters:
            constrain_query_parameter(parameter, paginator, filters.get(parameter.get("name")))
        return parameters

    def answers_conditionally(self):
        """A GET with an ETag, answered 304 to If-None-Match (viewsets.ConditionalMixin)."""
        return self.method == "GET" and hasattr(self.view, "answer_conditionally")

    def is_dataset_detail(self):
        return getattr(self.view, "table", None) is not None and not self._is_list_view()

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        view = self.view
        if self.is_dataset_detail() and self.method in ("PUT", "PATCH", "DELETE"):
            parameters.append(IF_MATCH)
        reads_dataset = getattr(view, "table", None) is not None or getattr(
            view, "reads_releases", False
        )
        if reads_dataset and self.method == "GET":
            parameters.append(RELEASE)
        if self.answers_conditionally():
            parameters.append(IF_NONE_MATCH)
        if getattr(view, "table", None) is None or self.method != "GET":
            return parameters
        parameters.append(fields_parameter(view))
        if self._is_list_view():
            parameters.append(BOM)
            if getattr(view, "wide_csv", False):
                parameters.append(WIDE)
        return parameters

    def _error_codes(self):
        method = self.method
        codes = ["400", "429", "503"]
        if method in ("GET", "HEAD"):
            codes += ["404", "406"]
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            codes += ["401", "403"]
        if method in ("POST", "PUT", "PATCH"):
            codes += ["413", "415"]
        if method in ("PUT", "PATCH", "DELETE"):
            codes += ["404", "412"]
        if method == "DELETE":
            codes.append("409")
        return sorted(set(codes))

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        self.registry.register_on_missing(FIELD_ERRORS)
        if self.answers_conditionally():
            responses["304"] = NOT_MODIFIED
        for code in self._error_codes():
            if code not in responses:
                serializer, description = ERRORS[code]
                body = self._get_response_for_code(serializer, code, ["application/json"])
                body["description"] = description
                responses[code] = body
        return responses


def describe_enums(result, generator, request, public):
    """A drf-spectacular postprocessing hook: each vocabulary's schema says what each of its
    values means, in the words of the vocabulary's definitions (common.choices), as a list in
    its description and as ``x-enumDescriptions``."""
    from common.choices import VOCABULARIES

    by_values = {frozenset(vocabulary.values): vocabulary for vocabulary in VOCABULARIES}
    for schema in result.get("components", {}).get("schemas", {}).values():
        values = [value for value in schema.get("enum", []) if value not in ("", None)]
        vocabulary = by_values.get(frozenset(values))
        if vocabulary is None:
            continue
        definitions = vocabulary.descriptions
        schema["description"] = "\n".join(
            f"* `{value}`: {definitions[value]}" for value in vocabulary.values
        )
        schema["x-enumDescriptions"] = dict(definitions)
    return result
