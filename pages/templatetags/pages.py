"""Template filters and tags of the pages: periods in words, vocabulary labels, links that
keep a page's release."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import format_html

from common.choices import VOCABULARIES
from datapackage.snapshots import current_release

from ..links import link

register = template.Library()

LABELS = {vocabulary.__name__: dict(vocabulary.choices) for vocabulary in VOCABULARIES}


def _get(row, name):
    return row.get(name) if isinstance(row, dict) else getattr(row, name, None)


def _day(date):
    return f"{date.day} {date:%B %Y}"


def date_in_words(date, precision):
    """'3 July 2021', 'July 2021' or '2021', as precise as the source."""
    if date is None:
        return ""
    if precision == "year":
        return str(date.year)
    if precision == "month":
        return f"{date:%B %Y}"
    return _day(date)


@register.filter
def when(row):
    """A row's period in words, as precise as its sources (date_precision), saying when a
    period was still going on (ongoing_as_of)."""
    start, end = _get(row, "date_start"), _get(row, "date_end")
    precision, ongoing = _get(row, "date_precision"), _get(row, "ongoing_as_of")
    if start is None:
        return f"held on {_day(ongoing)}" if ongoing else "undated"
    text = date_in_words(start, precision)
    if end is not None and end != start:
        text = f"{text} – {date_in_words(end, precision)}"
    elif ongoing is not None:
        text = f"since {text} (still on {_day(ongoing)})"
    return text


@register.filter
def iso(value):
    return value.isoformat() if isinstance(value, datetime.date) else ""


@register.filter
def label(value, vocabulary):
    """The label of a vocabulary value: ``{{ row.stance|label:"Stance" }}``."""
    return LABELS.get(vocabulary, {}).get(value, value)


@register.filter
def percent(value):
    return "–" if value is None else f"{value:.0%}"


@register.filter
def measure(value):
    """A measure to two decimals, a half rounded up as readers do (kappa 0.625 is 0.63;
    formatting the float would give 0.62)."""
    if value is None:
        return "–"
    return str(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def href(name, **kwargs):
    """``{% url %}`` for the pages: on a page read from a release, a link to a page or to
    the dataset's API carries ``release=`` (pages/links.py)."""
    return link(name, **kwargs)


@register.simple_tag
def release_field():
    """A GET form's hidden ``release`` field, on a page read from a release."""
    release = current_release()
    if release is None:
        return ""
    return format_html('<input type="hidden" name="release" value="{}">', release.version)


@register.simple_tag
def reading_release():
    """The release the page is read from, or None."""
    return current_release()


@register.simple_tag(takes_context=True)
def live_url(context):
    """This page's address without its ``release``: the same page of the live data."""
    request = context["request"]
    query = request.GET.copy()
    query.pop("release", None)
    return request.path + (f"?{query.urlencode()}" if query else "")
