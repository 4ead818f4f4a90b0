import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from portal.cases.recipients import ImportRefused, import_recipients


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Command(BaseCommand):
    help = ("Import existing recipients (households already receiving 低保/特困 in the old system) as approved cases "
            "from a UTF-8 CSV file, one row per member; columns: see portal/cases/recipients/. All households or "
            "none; households imported before (same old case number) are skipped.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file")
        parser.add_argument("--dry-run", action="store_true", help="check the file and say what would be imported")
        parser.add_argument("--imported-by", default="", help="who imports it (default: the system user name)")

    def handle(self, *args, file: str, dry_run: bool, imported_by: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        with translation.override("zh-hans"):
            try:
                result = import_recipients(path.read_bytes(), source_file=path.name,
                                           imported_by=imported_by or _current_user(), dry_run=dry_run)
            except ImportRefused as refused:
                raise CommandError("\n".join(refused.problems)) from None
            for case in result.imported:
                facts = {"old": case.old_case_number, "case": case.business_key, "program": case.program,
                         "n": case.members}
                line = (_("%(old)s（%(program)s，%(n)d 人）") if dry_run
                        else _("%(case)s ← %(old)s（%(program)s，%(n)d 人）")) % facts
                self.stdout.write(f"  {line}")
            counts = {"file": path.name, "cases": len(result.imported), "members": result.members,
                      "skipped": len(result.skipped)}
            if dry_run:
                summary = _("%(file)s：检查通过，可导入 %(cases)d 户（%(members)d 人），%(skipped)d 户此前已导入；"
                            "试运行，未写入任何数据") % counts
            else:
                summary = _("%(file)s：导入 %(cases)d 户（%(members)d 人），%(skipped)d 户此前已导入，未重复导入") \
                    % counts
            self.stdout.write(summary)
