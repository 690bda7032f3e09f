import ast
import tempfile
import zipfile
from pathlib import Path

import pytest

from datapackage import files, load, release, validate
from datapackage.files import PackageError, extract_zip, open_package
from datapackage.load import LoadError, load_package
from datapackage.release import publish, write_zip
from datapackage.validate import validate_package

from .conftest import CREATED, dump_bytes

pytestmark = pytest.mark.django_db

APP = Path(validate.__file__).parent


@pytest.fixture
def temp_root(tmp_path, monkeypatch):
    """The folder temporary folders are made in, for this test alone."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


@pytest.fixture
def package_zip(package, tmp_path):
    path = tmp_path / "p.zip"
    write_zip(package, path)
    return path


def test_the_app_has_no_import_cycle():
    graph = {}
    for path in APP.glob("*.py"):
        tree = ast.parse(path.read_text())
        graph[path.stem] = {
            node.module.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
        }

    def reaches(start, target, seen=()):
        return any(
            name == target or (name not in seen and reaches(name, target, (*seen, name)))
            for name in graph.get(start, ())
        )

    assert [name for name in graph if reaches(name, name)] == []


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, SystemExit, RuntimeError])
def test_the_temporary_folder_of_a_zip_is_removed_however_the_work_ends(
    package_zip, temp_root, monkeypatch, interrupt
):
    def interrupted(folder, **options):
        assert list(temp_root.iterdir()) != []
        raise interrupt

    monkeypatch.setattr(validate, "validate_folder", interrupted)
    monkeypatch.setattr(load, "validate_folder", interrupted)
    with pytest.raises(interrupt):
        validate_package(package_zip)
    with pytest.raises(interrupt):
        load_package(package_zip, replace=True)
    assert list(temp_root.iterdir()) == []


def test_the_temporary_folder_is_removed_when_extraction_fails(package_zip, temp_root):
    package_zip.write_bytes(package_zip.read_bytes()[:-300])
    with pytest.raises(PackageError):
        with open_package(package_zip):
            pass
    assert list(temp_root.iterdir()) == []


def test_publish_removes_its_temporary_files_on_an_interrupt(dataset, releases_dir, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(release, "validate_folder", interrupted)
    with pytest.raises(KeyboardInterrupt):
        publish("1.0.0", created=CREATED)
    assert list(releases_dir.iterdir()) == []


def test_the_declared_total_is_limited_before_extracting(package_zip, tmp_path, monkeypatch):
    with zipfile.ZipFile(package_zip) as archive:
        declared = sum(info.file_size for info in archive.infolist())
    monkeypatch.setattr(files, "MAX_PACKAGE_BYTES", declared - 1)
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(PackageError, match="more than the limit"):
        extract_zip(package_zip, target)
    assert list(target.iterdir()) == []


def test_a_member_is_extracted_up_to_its_declared_size_only(tmp_path):
    """Whatever a member holds, no more than it declares is written."""

    class Source:
        def __init__(self):
            self.sent = 0

        def read(self, size):
            self.sent += size
            return b"0" * size

    source, out = Source(), tmp_path / "out"
    with open(out, "wb") as handle, pytest.raises(PackageError, match="more bytes"):
        files._copy_capped(source, handle, 100, "data/events.csv")
    assert out.stat().st_size <= 100
    assert source.sent <= 101


def test_a_bomb_is_refused_from_its_sizes_before_anything_is_written(package, tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(package / "datapackage.json", "datapackage.json")
        archive.writestr("data/events.csv", b"0" * (16 << 20))
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(PackageError, match="more than 200 times"):
        extract_zip(path, target)
    assert list(target.iterdir()) == []


def test_a_refused_zip_leaves_the_database_as_it_was(package, tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data/events.csv", b"0" * (16 << 20))
    before = dump_bytes()
    with pytest.raises(LoadError):
        load_package(path, replace=True)
    assert dump_bytes() == before
