"""The passages rows cite, with their sources, for showing beside the rows."""

from collections import defaultdict

from events.models import Source

SOURCE_FIELDS = ("id", "title", "url", "publisher", "author", "published", "source_type")


def citations(model, link, rows):
    """{row id: [citation]} for ``rows`` (ids or a subquery) of a citation ``model`` whose
    foreign key to the cited row is ``link``: one query, sources joined."""
    found = defaultdict(list)
    values = (
        model.objects.filter(**{f"{link}__in": rows})
        .order_by(f"{link}_id", "source_id")
        .values_list(f"{link}_id", "quote", *(f"source__{name}" for name in SOURCE_FIELDS))
    )
    for row_id, quote, *source in values:
        found[row_id].append(
            {"quote": quote, "source": dict(zip(SOURCE_FIELDS, source, strict=True))}
        )
    return found


def sources(ids):
    """{source id: source} for the given ids (one query)."""
    return {row["id"]: row for row in Source.objects.filter(pk__in=ids).values(*SOURCE_FIELDS)}


def with_sources(citation_lists):
    """Citations as compare.py gives them (source id and title), each given its whole
    source (address, publisher, date) so the page can link it: one query for all."""
    ids = {citation["source"] for items in citation_lists for citation in items}
    found = sources(ids) if ids else {}
    for items in citation_lists:
        for citation in items:
            source_id = citation["source"]
            citation["source"] = found.get(
                source_id, {"id": source_id, "title": citation.get("source_title", "")}
            )
