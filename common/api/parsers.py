"""Request bodies: JSON only, bounded in depth and free of NUL characters."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 20  # an event with participants and citations is 3 deep


class JSONParser(parsers.JSONParser):
    """DRF's parser, refusing what the database or Python's stack could not take: nesting
    deeper than MAX_DEPTH (100k levels would exhaust the stack) and NUL characters (which
    PostgreSQL cannot store in text)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.") from None
        _check(data)
        return data


def _check(data):
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ParseError("JSON parse error - a string contains a NUL character.")
            continue
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.")
            if isinstance(value, dict):
                pending.extend((key, depth + 1) for key in value)
                pending.extend((item, depth + 1) for item in value.values())
            else:
                pending.extend((item, depth + 1) for item in value)
