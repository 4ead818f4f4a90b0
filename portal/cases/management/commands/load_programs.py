import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from portal.cases.models import Program

PROGRAMS_FILE = Path(__file__).resolve().parents[2] / "data" / "programs.json"


class Command(BaseCommand):
    help = "Create or update the assistance programs and the process each one runs (portal/cases/data/programs.json)."

    @transaction.atomic
    def handle(self, *args, **options):
        rows = json.loads(PROGRAMS_FILE.read_text(encoding="utf-8"))["programs"]
        for row in rows:
            program, created = Program.objects.update_or_create(
                code=row["code"],
                defaults={"name": row["name"], "process_key": row["process_key"],
                          "exclusive_membership": row.get("exclusive_membership", True),
                          "application_form": row.get("application_form", "")},
            )
            action = "created" if created else "updated"
            self.stdout.write(f"{action} {program.code}: {program.name} → {program.process_key}")
