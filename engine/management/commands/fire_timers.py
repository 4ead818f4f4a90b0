from django.core.management.base import BaseCommand

from engine import runtime


class Command(BaseCommand):
    help = "Fire every due timer now (what Celery beat does periodically)."

    def handle(self, *args, **options):
        fired = 0
        for instance_id in runtime.due_timer_instances():
            fired += len(runtime.fire_instance_timers(instance_id))
        self.stdout.write(f"fired {fired} timers")
