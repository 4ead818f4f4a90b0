from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from portal.records.verify import verify_bytes


class Command(BaseCommand):
    help = "Verify a signed record: each signature (signer, organisation, time, intact, trusted, changed), audit chain."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the PDF to verify")

    def handle(self, *args, file: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        with translation.override("zh-hans"):
            report = verify_bytes(path.read_bytes())
            for line in report.lines():
                self.stdout.write(line)
        if not report.ok:
            raise SystemExit(1)
