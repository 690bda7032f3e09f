"""How to cite a release: a sentence and a BibTeX entry naming its version, date, address and
hash. The same words in the release's zip (its README), the API and the front page."""

from django.conf import settings

from .schema import PACKAGE_METADATA, PACKAGE_NAME

AUTHOR = "MENA Alignments curators"


def release_url(version):
    """Where the release's zip is published (``PUBLIC_URL``): the address a citation gives."""
    return f"{settings.PUBLIC_URL.rstrip('/')}/datapackage/{version}.zip"


def citation(version, date, url, sha256, *, hashed="zip"):
    """(text, bibtex) for release ``version`` of ``date`` (ISO), at ``url``; ``sha256`` is
    the hash of its zip (``hashed="zip"``) or of its datapackage.json, which holds the hash
    of every data file (``hashed="datapackage.json"``, in the zip itself)."""
    title = PACKAGE_METADATA["title"]
    year = date[:4]
    text = (
        f"{AUTHOR} ({year}). {title}. Data package version {version}, {date}. {url} "
        f"({hashed} sha256 {sha256})."
    )
    key = f"{PACKAGE_NAME.replace('-', '_')}_{version.replace('.', '_')}"
    bibtex = "\n".join(
        [
            f"@misc{{{key},",
            f"  author = {{{{{AUTHOR}}}}},",
            f"  title = {{{{{title}}}}},",
            f"  year = {{{year}}},",
            f"  version = {{{version}}},",
            f"  date = {{{date}}},",
            f"  url = {{{url}}},",
            f"  note = {{Data package, {hashed} sha256 {sha256}}}",
            "}",
        ]
    )
    return text, bibtex


def release_citation(release, url=None):
    """(text, bibtex) of a published Release, with its zip's hash."""
    return citation(
        release.version,
        release.created.date().isoformat(),
        url or release_url(release.version),
        release.zip_sha256,
    )
