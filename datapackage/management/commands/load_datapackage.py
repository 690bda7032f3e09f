import sys

from django.core.management.base import BaseCommand

from datapackage.load import LoadError, database_is_empty, load_package
from datapackage.progress import Progress


class Command(BaseCommand):
    help = (
        "Validate and load a data package (a folder, a datapackage.json or a zip) into "
        "the database in one transaction: all of it or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--replace",
            action="store_true",
            help="Delete the current data first (in the same transaction).",
        )
        group.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only into an empty database; otherwise do nothing and exit 0.",
        )

    def handle(self, *args, **options):
        if options["if_empty"] and not database_is_empty():
            self.stdout.write("database already has data; not loading")
            return
        progress = Progress(sys.stderr, enabled=options["verbosity"] > 0)
        try:
            report = load_package(options["path"], replace=options["replace"], progress=progress)
        except LoadError as error:
            self.stdout.write(error.report.format())
            self.stderr.write(f"{options['path']}: not loaded; the database is unchanged")
            sys.exit(1)
        summary = ", ".join(f"{name} {count}" for name, count in report.row_counts.items())
        self.stdout.write(f"Loaded {options['path']} ({report.version}): {summary} rows")
