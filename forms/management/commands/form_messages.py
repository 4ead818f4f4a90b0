from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from forms.management.data_texts import MODULE, REGENERATE, Sources, collect, render


class Command(BaseCommand):
    help = ("Write forms/data_messages.py: the texts of form schemas, BPMN names, DMN outputs and program names as "
            "gettext_noop calls, so that makemessages puts them in the catalogue. --check only compares.")

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="exit with an error when the module is out of date")
        parser.add_argument("--output", default=str(MODULE), help="the module to write or check")

    def handle(self, *args, check: bool, output: str, **options):
        path = Path(output)
        found = collect(Sources.of_project())
        text = render(found)
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if check:
            if current != text:
                raise CommandError(f"{path} is out of date with the data files: run `{REGENERATE}`")
            self.stdout.write(f"{path} is up to date ({len(found)} texts)")
            return
        if current == text:
            self.stdout.write(f"unchanged {path} ({len(found)} texts)")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"wrote {path} ({len(found)} texts)"))
        self.stdout.write("then: manage.py makemessages -l en (see README.md), translate, compilemessages")
