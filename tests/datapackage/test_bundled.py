"""The bundled dataset (dataset/) is a valid package in canonical form: loading it and
building it again gives back the same bytes."""

import pytest
from django.conf import settings

from datapackage.load import load_package
from datapackage.validate import validate_package

from .conftest import build, files

pytestmark = pytest.mark.django_db

BUNDLED = settings.BUNDLED_DATAPACKAGE


@pytest.mark.skipif(
    not (BUNDLED / "datapackage.json").exists(), reason="no bundled dataset/datapackage.json"
)
def test_bundled_dataset_is_valid_and_canonical(tmp_path):
    report = validate_package(BUNDLED)
    assert report.valid, report.format()
    load_package(BUNDLED)
    import json

    descriptor = json.loads((BUNDLED / "datapackage.json").read_text(encoding="utf-8"))
    build(tmp_path / "rebuilt", version=descriptor["version"], created=descriptor["created"])
    rebuilt, bundled = files(tmp_path / "rebuilt"), files(BUNDLED)
    for name, content in rebuilt.items():
        assert bundled[name] == content, (
            f"{name} is not what a build writes: run `manage.py load_datapackage dataset "
            "--replace` then `manage.py build_datapackage dataset`"
        )
