"""How to cite a release: a sentence and a BibTeX entry naming its version and hash."""

from datapackage.schema import PACKAGE_METADATA, PACKAGE_NAME

AUTHOR = "MENA Alignments curators"


def citation(release, url):
    """(text, bibtex) for ``release``, downloadable at ``url``."""
    title = PACKAGE_METADATA["title"]
    date = release.created.date().isoformat()
    year = release.created.year
    text = (
        f"{AUTHOR} ({year}). {title}. Data package version {release.version}, {date}. "
        f"{url} (zip sha256 {release.zip_sha256})."
    )
    key = f"{PACKAGE_NAME.replace('-', '_')}_{release.version.replace('.', '_')}"
    bibtex = "\n".join(
        [
            f"@misc{{{key},",
            f"  author = {{{{{AUTHOR}}}}},",
            f"  title = {{{{{title}}}}},",
            f"  year = {{{year}}},",
            f"  version = {{{release.version}}},",
            f"  url = {{{url}}},",
            f"  note = {{Data package, zip sha256 {release.zip_sha256}}}",
            "}",
        ]
    )
    return text, bibtex
