from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.records import pki


class Command(BaseCommand):
    help = "Create a test PKI (root CA → intermediate → one certificate per organisation, a TSA) for development."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(settings.RECORDS_PKI_DIR), help="target directory")
        parser.add_argument("--org", action="append", default=[], metavar="CODE=NAME",
                            help="an organisation (repeatable); default: the demo county and township")
        parser.add_argument("--force", action="store_true", help="overwrite an existing PKI")
        parser.add_argument("--if-missing", action="store_true", help="do nothing when a PKI is already there")

    def handle(self, *args, dir: str, org: list[str], force: bool, if_missing: bool = False, **options):
        directory = Path(dir)
        if (directory / "root.cert.pem").exists() and if_missing and not force:
            self.stdout.write(f"test PKI already in {directory}")
            return
        if (directory / "root.cert.pem").exists() and not force:
            raise CommandError(f"{directory} already holds a PKI (use --force to replace it)")
        orgs = {}
        for item in org:
            code, sep, name = item.partition("=")
            if not sep or not code.isdigit() or not name:
                raise CommandError(f"--org expects CODE=NAME, got '{item}'")
            orgs[code] = name
        pki.create_test_pki(directory, orgs or None)
        pki.clear_cache()
        for code, name in (orgs or pki.DEFAULT_TEST_ORGS).items():
            self.stdout.write(f"{code}  {name}")
        self.stdout.write(self.style.SUCCESS(f"test PKI written to {directory}"))
