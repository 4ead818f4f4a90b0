import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.cases.models import Program
from portal.cases.payments import Payment

PROGRAMS_FILE = Path(__file__).resolve().parents[2] / "data" / "programs.json"


class Command(BaseCommand):
    help = ("Create or update the assistance programs, the process each one runs and how it pays "
            "(portal/cases/data/programs.json).")

    @transaction.atomic
    def handle(self, *args, **options):
        rows = json.loads(PROGRAMS_FILE.read_text(encoding="utf-8"))["programs"]
        for row in rows:
            payment = row.get("payment", Payment.MONTHLY)
            if payment not in Payment.values:
                raise CommandError(f"{row['code']}: payment should be one of {', '.join(Payment.values)}, "
                                   f"got {payment!r}")
            program, created = Program.objects.update_or_create(
                code=row["code"],
                defaults={"name": row["name"], "process_key": row["process_key"],
                          "exclusive_membership": row.get("exclusive_membership", True),
                          "one_open_case_per_household": row.get("one_open_case_per_household", True),
                          "payment": payment, "application_form": row.get("application_form", "")},
            )
            action = "created" if created else "updated"
            self.stdout.write(f"{action} {program.code}: {program.name} → {program.process_key} ({program.payment})")
