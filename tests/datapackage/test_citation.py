"""Each release says how to cite it; the repository's CITATION.cff names the bundled one."""

import json
import zipfile

import pytest
import yaml
from django.conf import settings

from datapackage.release import publish, release_paths, sha256_file

from .conftest import fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def release(settings, tmp_path):
    settings.RELEASES_DIR = tmp_path / "releases"
    settings.BUNDLED_DATAPACKAGE = tmp_path / "none"
    settings.PUBLIC_URL = "https://data.example.org"
    fill()
    return publish("1.0.0", created="2021-07-03")


def test_the_api_gives_the_citation_with_version_date_address_and_hash(api_client, release):
    citation = api_client.get("/api/v1/releases/1.0.0/").json()["citation"]
    assert "version 1.0.0, 2021-07-03" in citation["text"]
    assert "http://testserver/datapackage/1.0.0.zip" in citation["text"]
    assert f"zip sha256 {release.zip_sha256}" in citation["text"]
    assert citation["bibtex"].startswith("@misc{mena_alignments_1_0_0,")
    assert "version = {1.0.0}" in citation["bibtex"]


def test_the_zip_readme_says_how_to_cite_it(release):
    folder = release_paths("1.0.0")[0]
    readme = (folder / "README.md").read_text()
    descriptor_hash = sha256_file(folder / "datapackage.json")
    assert f"datapackage.json sha256 {descriptor_hash}" in readme
    assert "https://data.example.org/datapackage/1.0.0.zip" in readme
    assert "```bibtex\n@misc{mena_alignments_1_0_0," in readme
    with zipfile.ZipFile(release_paths("1.0.0")[1]) as archive:
        assert archive.read("README.md").decode() == readme


def test_the_zip_readme_carries_the_codebook(release):
    readme = (release_paths("1.0.0")[0] / "README.md").read_text()
    descriptor = json.loads((release_paths("1.0.0")[0] / "datapackage.json").read_text())
    assert "## Codebook" in readme
    for resource in descriptor["resources"]:
        assert f"### `{resource['name']}`" in readme
        for field in resource["schema"]["fields"]:
            assert f"| `{field['name']}` |" in readme
    assert "- `mixed`: The actor is partly for and partly against it" in readme


def test_the_table_schema_defines_every_vocabulary_value(release):
    descriptor = json.loads((release_paths("1.0.0")[0] / "datapackage.json").read_text())
    positions = next(r for r in descriptor["resources"] if r["name"] == "positions")
    stance = next(f for f in positions["schema"]["fields"] if f["name"] == "stance")
    assert set(stance["enumDescriptions"]) == set(stance["constraints"]["enum"])


def test_citation_cff_names_the_bundled_release():
    cff = yaml.safe_load((settings.BASE_DIR / "CITATION.cff").read_text())
    bundled = json.loads((settings.BUNDLED_DATAPACKAGE / "datapackage.json").read_text())
    assert cff["cff-version"] == "1.2.0"
    assert cff["version"] == bundled["version"]
    assert cff["date-released"] == bundled["created"][:10]
