import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from portal.verification.importer import ImportRefused, import_file


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Command(BaseCommand):
    help = ("Import other departments' records (income, assets, deaths) for household economic verification "
            "from a UTF-8 CSV file; columns: see portal/verification/importer.py. All rows or none.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file")
        parser.add_argument("--imported-by", default="", help="who imports it (default: the system user name)")

    def handle(self, *args, file: str, imported_by: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        with translation.override("zh-hans"):
            try:
                result = import_file(path.read_bytes(), source_file=path.name,
                                     imported_by=imported_by or _current_user())
            except ImportRefused as refused:
                raise CommandError("\n".join(refused.problems)) from None
            sources = ", ".join(f"{source} {count}" for source, count in result.by_source.items())
            self.stdout.write(_("%(file)s：导入 %(rows)d 条记录（批次 %(batch)d；%(sources)s）") % {
                "file": path.name, "rows": result.batch.rows, "batch": result.batch.pk, "sources": sources})
