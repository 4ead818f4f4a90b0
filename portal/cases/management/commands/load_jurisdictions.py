import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.cases.models import Jurisdiction

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "jurisdictions"


class Command(BaseCommand):
    help = "Load administrative divisions from JSON files (default: every file in portal/cases/data/jurisdictions)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*")

    def handle(self, *args, files: list[str], **options):
        paths = [Path(f) for f in files] or sorted(DATA_DIR.glob("*.json"))
        for path in paths:
            rows = json.loads(path.read_text(encoding="utf-8"))["jurisdictions"]
            created = self.load(rows, path)
            self.stdout.write(f"{path.name}: {len(rows)} divisions ({created} new)")

    @transaction.atomic
    def load(self, rows: list[dict], path: Path) -> int:
        created = 0
        for row in sorted(rows, key=lambda r: len(r["code"])):  # parents first
            item = Jurisdiction(code=row["code"], name=row["name"], level=row["level"], parent_id=row.get("parent"))
            try:
                item.full_clean(validate_unique=False)
            except ValidationError as err:
                raise CommandError(f"{path.name}: {row['code']}: {'; '.join(err.messages)}") from err
            created += not Jurisdiction.objects.filter(pk=item.code).exists()
            item.save()
        return created
