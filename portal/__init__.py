"""The Doudi Django project: settings, URLs, the Celery app and the web apps."""

from .celery import app as celery_app

__all__ = ["celery_app"]
