from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from portal.core.inprocess_worker import InProcessBeat


class Command(BaseCommand):
    help = "Start the web portal; with no CELERY_BROKER_URL also the in-process worker that fires timers."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        beat = None
        if settings.INPROCESS_WORKER:
            beat = InProcessBeat()
            beat.start()
        else:
            self.stdout.write("CELERY_BROKER_URL is set: run `celery -A portal worker --beat` beside the portal.")
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            if beat is not None:
                beat.stop()
