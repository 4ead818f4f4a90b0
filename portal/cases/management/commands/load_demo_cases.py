"""Demo households in 舟溪村: two with open 低保 cases, so a fresh portal has work in its worklists, and the existing
recipients of ``data/demo_recipients.csv`` (two 低保 households and one 特困 person, imported as approved cases), so
that the annual review and the hospital window's one-stop claims have someone to work for."""

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from forms.resident_id import check_character
from portal.cases.models import Household, IncomeItem, Member, Program
from portal.cases.services import CaseRefused, open_case
from portal.verification.models import ImportBatch

DEMO_VILLAGE = "522601101200"
DEMO_RECIPIENTS = Path(__file__).resolve().parents[2] / "data" / "demo_recipients.csv"


def _rid(body: str) -> str:
    return body + check_character(body)


# name, relation, ID body (17 digits), monthly income, flags. Fictional people.
DEMO_HOUSEHOLDS = [
    ("舟溪村 2 组 7 号", [
        ("潘桂芬", "head", "52260119560318022", Decimal("260"), {"seriously_ill": True}),
        ("潘志强", "grandchild", "52260120110705031", Decimal("0"), {"student": True}),
    ]),
    ("舟溪村 5 组 21 号", [
        ("杨再兴", "head", "52260119700211001", Decimal("800"), {"severely_disabled": True}),
        ("龙美英", "spouse", "52260119720923002", Decimal("400"), {}),
        ("杨明", "child", "52260120030101003", Decimal("0"), {"student": True}),
    ]),
]


class Command(BaseCommand):
    help = ("Open demo 低保 cases in the demo village and import its demo recipients of 低保 and 特困 "
            "(development only; idempotent).")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="allow outside DEBUG")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("demo cases are for development; pass --force to create them anyway")
        if not ImportBatch.objects.exists():
            call_command("import_registry_records", "portal/verification/data/demo_registry.csv", stdout=self.stdout)
        program = Program.objects.get(code="dibao")
        caseworker = User.objects.get(username="jingban")
        for address, members in DEMO_HOUSEHOLDS:
            head_id = _rid(members[0][2])
            if Member.objects.filter(resident_id=head_id).exists():
                continue
            with transaction.atomic():
                home = Household.objects.create(village_id=DEMO_VILLAGE, address=address)
                for name, relation, body, income, flags in members:
                    member = Member.objects.create(household=home, name=name, relation=relation,
                                                   resident_id=_rid(body), **flags)
                    if income:
                        IncomeItem.objects.create(household=home, member=member, kind=IncomeItem.Kind.WAGES,
                                                  monthly_amount=income)
                try:
                    case = open_case(home, program, actor=caseworker)
                except CaseRefused as refused:
                    raise CommandError(f"demo case refused: {refused}") from None
            self.stdout.write(f"opened {case.business_key} for {members[0][0]} ({address})")
        # Idempotent: households imported before (by their old case number) are skipped.
        call_command("import_recipients", str(DEMO_RECIPIENTS), imported_by="load_demo_cases", stdout=self.stdout)
