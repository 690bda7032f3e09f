import json
import zipfile

from django.core.management.base import BaseCommand, CommandError

from datapackage.release import PublishError, import_release
from datapackage.snapshots import build_snapshot
from datapackage.versions import parse_semver


def zip_version(path):
    """The (major, minor, patch) a release zip's descriptor gives, to import oldest first."""
    try:
        with zipfile.ZipFile(path) as archive:
            version = json.loads(archive.read("datapackage.json"))["version"]
        return parse_semver(version)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise CommandError(f"{path}: not a release zip ({error})") from error


class Command(BaseCommand):
    help = (
        "Record releases published elsewhere from their zips (e.g. the earlier versions "
        "shipped in dataset/releases/), oldest version first. A zip already recorded is "
        "skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("zips", nargs="+", help="release zips, in any order")

    def handle(self, *args, **options):
        for path in sorted(options["zips"], key=zip_version):
            try:
                release = import_release(path)
            except PublishError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"Release {release.version} recorded from {path}")
            build_snapshot(release)
