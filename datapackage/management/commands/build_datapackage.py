import sys

from django.core.management.base import BaseCommand, CommandError

from datapackage.build import build_package, refresh_descriptor
from datapackage.progress import Progress


class Command(BaseCommand):
    help = (
        "Build the data package from the database into OUTDIR: data/<resource>.csv and "
        "datapackage.json. The same rows always give the same bytes."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version (the package's) replaces Django's --version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("outdir")
        parser.add_argument(
            "--version",
            dest="package_version",
            help="Package version (semver). Default: the version already in "
            "OUTDIR/datapackage.json, else the latest release's '+dev', else '1.0.0-dev'.",
        )
        parser.add_argument(
            "--created",
            help="The package's 'created' (YYYY-MM-DD or an ISO datetime). Default: kept "
            "from OUTDIR/datapackage.json for the same version, else now.",
        )
        parser.add_argument(
            "--descriptor-only",
            action="store_true",
            help="Only rewrite datapackage.json for the CSV files already in OUTDIR/data "
            "(schema from the models, bytes and hashes from the files).",
        )

    def handle(self, *args, **options):
        progress = Progress(sys.stderr, enabled=options["verbosity"] > 0)
        try:
            if options["descriptor_only"]:
                descriptor = refresh_descriptor(
                    options["outdir"],
                    version=options["package_version"],
                    created=options["created"],
                )
                counts = None
            else:
                descriptor, counts = build_package(
                    options["outdir"],
                    version=options["package_version"],
                    created=options["created"],
                    progress=progress,
                )
        except (ValueError, OSError) as error:
            raise CommandError(str(error)) from error
        summary = ", ".join(f"{name} {count}" for name, count in (counts or {}).items())
        self.stdout.write(
            f"Wrote {options['outdir']} ({descriptor['name']} {descriptor['version']})"
            + (f": {summary} rows" if summary else "")
        )
