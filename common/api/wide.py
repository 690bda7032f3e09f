"""Spreadsheet-ready rows (``?format=csv&wide=true``): one row per record, its nested lists
flattened into readable cells, and text that a spreadsheet would run as a formula made inert.

The data package's CSVs stay exact (they are data); this export is for people who open it
in Excel, LibreOffice or Google Sheets.
"""

# A cell starting with one of these is a formula to a spreadsheet (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LEFT_OUT = {"url", "created", "updated"}


def _participants(items):
    return {
        "participants": ";".join(f"{item['actor']}:{item['role']}" for item in items),
        "participant_names": "; ".join(f"{item['actor_name']} ({item['role']})" for item in items),
    }


def _citations(items):
    return {
        "source_ids": ";".join(str(item["source"]) for item in items),
        "citations": "\n".join(
            f"[{item['source']}] {item['source_title']}: “{item['quote']}”" for item in items
        ),
    }


def _aliases(items):
    return {"aliases": "; ".join(items)}


FLATTENERS = {"participants": _participants, "citations": _citations, "aliases": _aliases}


def flatten(item):
    """A JSON row of the API as a flat dict of cells."""
    flat = {}
    for key, value in item.items():
        if key in LEFT_OUT:
            continue
        if isinstance(value, list):
            flat.update(FLATTENERS[key](value))
        else:
            flat[key] = value
    return flat


def header(rows):
    """The wide header of a resource with no rows (an empty result still has columns)."""
    example = {}
    for key, spec in rows.fields.items():
        if key in LEFT_OUT:
            continue
        example[key] = [] if hasattr(spec, "parent") else None
    keys = []
    for key, value in example.items():
        if isinstance(value, list):
            keys += list(FLATTENERS[key]([]))
        else:
            keys.append(key)
    return keys


def safe(value):
    """Text a spreadsheet would read as a formula, prefixed with an apostrophe; numbers and
    other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True
