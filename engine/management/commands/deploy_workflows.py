from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from engine.deploy import deploy_directory


class Command(BaseCommand):
    help = "Deploy every BPMN/DMN file under workflows/: changed files become new versions, unchanged ones nothing."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(settings.WORKFLOWS_DIR))

    def handle(self, *args, directory: str, **options):
        root = Path(directory)
        if not root.is_dir():
            raise CommandError(f"{root} is not a directory")
        outcomes = deploy_directory(root)
        refused = 0
        for outcome in outcomes:
            if not outcome.ok:
                refused += 1
                self.stderr.write(self.style.ERROR(f"REFUSED {outcome.path}"))
                for problem in outcome.problems:
                    self.stderr.write(f"  - {problem}")
            elif outcome.created:
                d = outcome.definition
                self.stdout.write(self.style.SUCCESS(f"deployed {outcome.path}: {d.key} v{d.version}"))
            else:
                d = outcome.definition
                self.stdout.write(f"unchanged {outcome.path}: {d.key} v{d.version}")
        if refused:
            raise CommandError(f"{refused} of {len(outcomes)} files refused; the running versions are untouched")
