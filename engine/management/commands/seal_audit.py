from django.core.management.base import BaseCommand

from engine.audit import seal_checkpoint


class Command(BaseCommand):
    help = "Seal the current audit chain heads into a signed checkpoint."

    def handle(self, *args, **options):
        checkpoint = seal_checkpoint()
        self.stdout.write(f"sealed {checkpoint.digest}" if checkpoint else "nothing changed since the last checkpoint")
