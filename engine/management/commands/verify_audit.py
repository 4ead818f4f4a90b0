from django.core.management.base import BaseCommand, CommandError

from engine.audit import verify_chains
from engine.models import AuditChainHead, AuditEvent


class Command(BaseCommand):
    help = "Walk the audit hash chains and checkpoints; name the first broken link of each chain."

    def add_arguments(self, parser):
        parser.add_argument("--chain", help="verify one chain only, e.g. instance:42 or system")

    def handle(self, *args, chain=None, **options):
        breaks = verify_chains(chain)
        chains = 1 if chain else AuditChainHead.objects.count()
        events = AuditEvent.objects.filter(chain=chain).count() if chain else AuditEvent.objects.count()
        if breaks:
            for found in breaks:
                self.stderr.write(self.style.ERROR(f"BROKEN {found}"))
            raise CommandError(f"audit chain broken in {len(breaks)} place(s)")
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {events} events in {chains} chains"))
