"""The OpenAPI schema documents the error responses too, so that clients (and fuzzers)
know the whole contract: which statuses an operation may answer, with which JSON body."""

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in words.")


class InvalidInputSerializer(ErrorSerializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="{parameter or field: [what is wrong with it]}.",
    )
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
    "429": (ErrorSerializer, "Too many anonymous requests; see Retry-After."),
    "503": (ErrorSerializer, "The query took longer than the server allows."),
}


def _boolean(name, description):
    return OpenApiParameter(name, OpenApiTypes.STR, enum=["true", "false"], description=description)


FIELDS = OpenApiParameter(
    "fields",
    OpenApiTypes.STR,
    description="Comma-separated keys to return (JSON only), e.g. id,title,date_start.",
)
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


class AutoSchema(BaseAutoSchema):
    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        view = self.view
        if getattr(view, "table", None) is None or self.method != "GET":
            return parameters
        parameters.append(FIELDS)
        if self._is_list_view():
            parameters.append(BOM)
            if getattr(view, "wide_csv", False):
                parameters.append(WIDE)
        return parameters

    def _error_codes(self):
        method = self.method
        codes = ["400", "429", "503"]
        has_lookup = "{" in self.path
        if method in ("GET", "HEAD"):
            codes += ["404", "406"] if not has_lookup else ["404"]
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            codes += ["401", "403"]
        if method in ("PUT", "PATCH", "DELETE"):
            codes += ["404", "412"]
        if method == "DELETE":
            codes.append("409")
        return sorted(set(codes))

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
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
