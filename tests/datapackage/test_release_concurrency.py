"""Concurrent publishes, in threads with their own database connections: the versions of
the releases, in the order they were recorded, always increase."""

import threading

import pytest
from django.db import connection

from datapackage import release as release_module
from datapackage.models import Release
from datapackage.release import PublishError, publish

from .conftest import CREATED

pytestmark = pytest.mark.django_db(transaction=True)


def publish_together(versions, monkeypatch):
    """Publish each version in its own thread, all past their first version check before
    any builds: the Release or the exception of each, in the order of ``versions``."""
    barrier = threading.Barrier(len(versions))
    build_package = release_module.build_package

    def build_after_the_others(*args, **kwargs):
        barrier.wait(timeout=60)
        return build_package(*args, **kwargs)

    monkeypatch.setattr(release_module, "build_package", build_after_the_others)
    results = [None] * len(versions)

    def run(index, version):
        try:
            results[index] = publish(version, created=CREATED)
        except Exception as error:  # any exception is the test's result
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(versions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def assert_releases_in_order():
    releases = list(Release.objects.order_by("id"))
    parts = [(r.major, r.minor, r.patch) for r in releases]
    assert parts == sorted(set(parts)), [r.version for r in releases]
    previous = [""] + [r.version for r in releases[:-1]]
    assert [r.previous_version for r in releases] == previous
    return [r.version for r in releases]


@pytest.mark.parametrize("versions", [("1.4.0", "1.3.0"), ("1.3.0", "1.4.0")])
def test_concurrent_publishes_of_different_versions(dataset, releases_dir, monkeypatch, versions):
    results = publish_together(versions, monkeypatch)
    published = assert_releases_in_order()
    assert len(published) == 1
    (refused,) = [r for r in results if not isinstance(r, Release)]
    assert isinstance(refused, PublishError), repr(refused)
    assert sorted(p.name for p in releases_dir.iterdir()) == sorted(
        [published[0], f"{published[0]}.zip"]
    )


def test_concurrent_publishes_of_one_version(dataset, releases_dir, monkeypatch):
    results = publish_together(["1.0.0", "1.0.0"], monkeypatch)
    assert assert_releases_in_order() == ["1.0.0"]
    (refused,) = [r for r in results if not isinstance(r, Release)]
    assert isinstance(refused, PublishError), repr(refused)
    assert "already exists" in str(refused)
    assert sorted(p.name for p in releases_dir.iterdir()) == ["1.0.0", "1.0.0.zip"]
