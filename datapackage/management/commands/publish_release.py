import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from datapackage.models import Release
from datapackage.progress import Progress
from datapackage.release import PublishError, next_version, publish
from datapackage.snapshots import build_snapshot


class Command(BaseCommand):
    help = (
        "Build, validate and publish an immutable release of the data package: "
        "RELEASES_DIR/<version>/, RELEASES_DIR/<version>.zip and a Release row."
    )

    def add_arguments(self, parser):
        parser.add_argument("version", nargs="?", help="MAJOR.MINOR.PATCH, e.g. 1.0.0")
        parser.add_argument(
            "--bump", choices=["major", "minor", "patch"], help="Bump the latest release."
        )
        notes = parser.add_mutually_exclusive_group()
        notes.add_argument("--notes", default="", help="What this release is about.")
        notes.add_argument(
            "--notes-file", help="A Markdown file saying what this release is about."
        )
        parser.add_argument(
            "--created",
            help="The release date (YYYY-MM-DD or ISO datetime). Default: the bundled "
            "dataset's 'created' when it describes this version, else now.",
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Do nothing (exit 0) when this version is already published.",
        )

    def handle(self, *args, **options):
        version, part = options["version"], options["bump"]
        if bool(version) == bool(part):
            raise CommandError("give a VERSION or --bump major|minor|patch (not both)")
        try:
            version = version or next_version(part)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["if_missing"] and Release.objects.filter(version=version).exists():
            self.stdout.write(f"release {version} already published; nothing to do")
            return
        progress = Progress(sys.stderr, enabled=options["verbosity"] > 0)
        try:
            notes = options["notes"]
            if options["notes_file"]:
                notes = Path(options["notes_file"]).read_text(encoding="utf-8").strip()
            release = publish(version, notes=notes, created=options["created"], progress=progress)
        except (PublishError, ValueError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Published release {release.version} (zip sha256 {release.zip_sha256})")
        # The database ?release= queries read: built now rather than by a first visitor.
        build_snapshot(release, progress=progress)
