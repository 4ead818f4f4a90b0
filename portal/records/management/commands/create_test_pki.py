from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.records import organisations, pki


class Command(BaseCommand):
    help = "Create a test PKI (root CA → intermediate → one certificate per organisation, a TSA) for development."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(settings.RECORDS_PKI_DIR), help="target directory")
        parser.add_argument("--org", action="append", default=[], metavar="CODE=NAME",
                            help="an organisation (repeatable): a jurisdiction code, or <county>-<department> for a "
                                 "department other than civil affairs; default: the demo county's bureaus and township")
        parser.add_argument("--force", action="store_true", help="overwrite an existing PKI")
        parser.add_argument("--if-missing", action="store_true",
                            help="keep a PKI that is already there, adding only the organisations it lacks")

    def handle(self, *args, dir: str, org: list[str], force: bool, if_missing: bool = False, **options):
        directory = Path(dir)
        orgs = {}
        for item in org:
            code, sep, name = item.partition("=")
            if not sep or not name:
                raise CommandError(f"--org expects CODE=NAME, got '{item}'")
            try:
                organisations.parse_code(code)
            except organisations.OrganisationError as err:
                raise CommandError(f"--org {item}: {err}") from err
            orgs[code] = name
        orgs = orgs or pki.DEFAULT_TEST_ORGS
        exists = (directory / "root.cert.pem").exists()
        if exists and if_missing and not force:
            added = pki.add_test_orgs(directory, orgs)
            pki.clear_cache()
            for code, name in added.items():
                self.stdout.write(f"{code}  {name}")
            self.stdout.write(f"test PKI already in {directory}" + (f"; added {len(added)} organisation(s)"
                                                                     if added else ""))
            return
        if exists and not force:
            raise CommandError(f"{directory} already holds a PKI (use --force to replace it)")
        pki.create_test_pki(directory, orgs)
        pki.clear_cache()
        for code, name in orgs.items():
            self.stdout.write(f"{code}  {name}")
        self.stdout.write(self.style.SUCCESS(f"test PKI written to {directory}"))
