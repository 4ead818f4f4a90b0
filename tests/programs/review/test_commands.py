"""The management commands and the Celery task of dynamic management."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from freezegun import freeze_time

from portal.cases.models import Case
from portal.programs.review.models import ReviewCase, ReviewSchedule
from portal.programs.review.tasks import open_due_reviews_task

from .support import approved_case, china_noon

pytestmark = pytest.mark.django_db


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def test_open_due_reviews_command(review_programs, people):
    case = approved_case(review_programs["dibao"])
    with freeze_time(china_noon(date(2025, 3, 2))):
        assert "纳入动态管理 1 件，启动定期核查 0 件" in run("open_due_reviews")
        output = run("open_due_reviews", "--date", "2026-03-02", "--actor", "jingban")
    review = ReviewCase.objects.get(original=case).review
    assert "启动定期核查 1 件" in output and review.business_key in output
    assert review.instance.started_by == people["jingban"]
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("open_due_reviews", "--date", "2026/03/02")
    with pytest.raises(CommandError, match="no user"):
        run("open_due_reviews", "--actor", "nobody")


def test_record_death_command(review_programs, people):
    case = approved_case(review_programs["dibao"])
    member = case.household.members.get(name="李建国")
    with freeze_time(china_noon(date(2025, 10, 8))):
        output = run("record_death", str(member.pk), "2025-10-06", "--actor", "jingban")
        assert "已登记 李建国 于 2025-10-06 死亡；启动核查 1 件" in output
        assert member.resident_id not in output
        with pytest.raises(CommandError, match="晚于今天"):
            run("record_death", str(member.pk), "2025-10-09", "--actor", "jingban")
    review = ReviewCase.objects.get(original=case)
    assert (review.trigger, review.review.instance.started_by) == ("death", people["jingban"])
    with pytest.raises(CommandError, match="no member"):
        run("record_death", "999999", "2025-10-06", "--actor", "jingban")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("record_death", str(member.pk), "06/10/2025", "--actor", "jingban")


def test_the_beat_task_runs_the_sweep(review_programs):
    approved_case(review_programs["tekun"])
    with freeze_time(china_noon(date(2025, 3, 2))):
        result = open_due_reviews_task.apply().get()
    assert (result["enrolled"], result["opened"], result["failed"]) == (1, [], [])
    assert ReviewSchedule.objects.get().interval_months == 12
    assert not Case.objects.filter(program="tekun_review").exists()
