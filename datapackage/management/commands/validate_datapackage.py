import sys

from django.core.management.base import BaseCommand

from datapackage.load import validate_and_trial_load
from datapackage.progress import Progress
from datapackage.validate import validate_package


class Command(BaseCommand):
    help = (
        "Validate a data package (a folder, a datapackage.json or a zip): frictionless "
        "with foreign keys, canonical values and the data model's rules. Exit status 1 "
        "when invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--trial-load",
            action="store_true",
            help="Also load the package into the database inside a transaction that is "
            "rolled back, so that the database's own constraints check every row.",
        )
        parser.add_argument(
            "--limit", type=int, default=200, help="Print at most this many errors."
        )

    def handle(self, *args, **options):
        progress = Progress(sys.stderr, enabled=options["verbosity"] > 0)
        if options["trial_load"]:
            report = validate_and_trial_load(options["path"], progress=progress)
        else:
            report = validate_package(options["path"], progress=progress)
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        if not report.valid:
            self.stdout.write(report.format(limit=options["limit"]))
            self.stderr.write(f"{options['path']}: invalid ({len(report.problems)} errors)")
            sys.exit(1)
        rows = sum(report.row_counts.values())
        self.stdout.write(f"{options['path']}: valid ({report.version}, {rows} rows)")
