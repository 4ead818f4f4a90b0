"""Celery task of dynamic management; beat runs it periodically (entry ``open-due-reviews``)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from .services import open_due_reviews


@shared_task(name="review.open_due_reviews", acks_late=True)
def open_due_reviews_task() -> dict[str, Any]:
    """Idempotent: a redelivered or overlapping run opens nothing twice."""
    return open_due_reviews().as_dict()
