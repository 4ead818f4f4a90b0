"""Dynamic management (动态管理，应退则退): enrolling approved 低保/特困 cases, opening their reviews when due or when
a member dies, and the sweep that does both.

* ``enrol(case)`` decides when an approved case is first reviewed: the ``review_interval`` rules (per county and
  date, evaluated directly with ``engine.decisions``) pick the interval from the case's facts; the first review is
  due that many months after the approval. The ``review.scheduled`` event names the rule versions that decided it.
  ``schedule_next_review`` is the one place a schedule is decided and written: at enrolment, and when a review
  concludes (the ``schedule_next_review`` operator of ``annual_review``, counted from the review).
* ``open_review(case, trigger=...)`` opens the review case (program ``dibao_review`` / ``tekun_review``, process
  ``annual_review``) on the same household. Idempotent and safe under concurrency: the approved case's row is locked
  while opening, and the database allows one unconcluded review per case and one open case per household and
  program; a second call returns the review already open.
* ``record_death(member, died_on, actor)`` marks the person deceased in every household register and opens an
  immediate review of each approved case of those households (to be completed within ``death_review_months``).
* ``open_due_reviews()`` is the scheduler (Celery beat task ``review.open_due_reviews``, command
  ``open_due_reviews``): deaths recorded any other way, approved cases not yet enrolled, reviews that are due.

Reviews are not opened with ``portal.cases.services.open_case``: its household checks refuse a household with a
deceased member or without a head, which is exactly what a review after a death has to handle. The review is opened
on the approved case instead, with the same conflict-of-interest registration, permissions and process start.
"""

from __future__ import annotations

import logging
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from engine import audit, decisions, runtime
from engine.errors import EngineError
from engine.models import ProcessInstance
from portal.cases.conflicts import ConflictFinding, find_conflicts, register_conflicts
from portal.cases.models import Case, CaseConflict, Member, Program
from portal.cases.services import member_facts, new_case, start_case_process

from .models import DeathTrigger, ReviewCase, ReviewSchedule

log = logging.getLogger("doudi.review")

# The programs whose approved cases are reviewed, and the review program of each.
REVIEW_PROGRAMS = {"dibao": "dibao_review", "tekun": "tekun_review"}
POLICY_DECISION = "review_policy"
INTERVAL_DECISION = "review_interval"
MAX_INTERVAL_MONTHS = 60


class ReviewRefused(Exception):
    """The case cannot be enrolled or reviewed (not approved, not a reviewed program, no review program)."""


def add_months(day: date, months: int) -> date:
    """Calendar months later; the day is clamped to the end of the target month (08-31 + 6 → 02-28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def reviewable_cases() -> QuerySet[Case]:
    return Case.objects.filter(program_id__in=list(REVIEW_PROGRAMS), status=Case.Status.APPROVED)


def approval_date(case: Case) -> date:
    """The day the case was approved (its first review is counted from it)."""
    if case.closed_at is not None:
        return timezone.localtime(case.closed_at).date()
    if case.payment_starts is not None:
        return case.payment_starts
    return timezone.localtime(case.opened_at).date()


def record_on_case(case: Case, kind: str, payload: dict[str, Any], actor: Any = None) -> None:
    """Append ``kind`` to the case's own audit chain (the system chain for a case without a process, e.g. one
    migrated from paper files). Never call this for the instance whose engine action is running: that action
    holds its chain head in memory."""
    if case.instance_id is not None:
        runtime.record_event(case.instance_id, kind, actor=actor, payload=payload)
    else:
        audit.append(kind, actor=actor, payload={"business_key": case.business_key, **payload})


def _review_program(case: Case) -> Program:
    code = REVIEW_PROGRAMS.get(case.program_id)
    if code is None:
        raise ReviewRefused(_("%(program)s案件不实行定期核查") % {"program": case.program.name})
    program = Program.objects.filter(code=code).first()
    if program is None:
        raise ReviewRefused(_("未登记核查项目 %(code)s（manage.py load_programs）") % {"code": code})
    return program


def _check_approved(case: Case) -> None:
    if case.status != Case.Status.APPROVED:
        raise ReviewRefused(_("案件 %(case)s 不是已批准的在保案件") % {"case": case.business_key})


# --- enrolment --------------------------------------------------------------------------------------------


def household_facts(case: Case, day: date, working_age_from: int, working_age_to: int) -> dict[str, int]:
    """Living members on ``day``, and those of working age [from, to) who are not disabled, seriously ill or in
    school (able to work)."""
    members = list(case.household.members.all())
    living = [m for m in members if m.deceased_on is None or m.deceased_on > day]
    able = [m for m in living if working_age_from <= m.age_on(day) < working_age_to
            and not (m.disabled or m.severely_disabled or m.seriously_ill or m.student)]
    return {"living_members": len(living), "able_bodied_members": len(able),
            "deceased_members": len(members) - len(living)}


def _rule_number(decision: decisions.Decision, name: str, low: int, high: int) -> int:
    value = decision.outputs.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value \
            or not low <= value <= high:
        raise ReviewRefused(_("规则 %(decision)s（第 %(version)s 版）的 %(name)s 应为 %(low)s 至 %(high)s 的整数")
                            % {"decision": decision.key, "version": decision.version, "name": name, "low": low,
                               "high": high})
    return int(value)


def schedule_next_review(case: Case, *, start: date, irregular_income: bool, actor: Any = None,
                         review: Case | None = None,
                         record_event: Callable[[str, dict[str, Any]], Any] | None = None) -> ReviewSchedule:
    """Record when ``case`` is next reviewed: the ``review_interval`` months (by county, today's rules and the
    household's facts) after ``start``, audited as ``review.scheduled`` on the case with the rules that decided it.

    At the end of a review, ``review`` is that review case (the schedule notes it and today as the last review) and
    ``record_event`` writes the same event on the review's own chain, the one whose engine action is running.
    Call it with the case's row locked."""
    today = timezone.localdate()
    where = {"county": case.household.village_id[:6], "as_of": today.isoformat()}
    policy = decisions.evaluate(POLICY_DECISION, where)
    age_from = _rule_number(policy, "working_age_from", 0, 120)
    facts = household_facts(case, today, age_from, _rule_number(policy, "working_age_to", age_from + 1, 121))
    interval = decisions.evaluate(INTERVAL_DECISION, {**where, "original_program": case.program_id,
                                                      "irregular_income": irregular_income, "household_facts": facts})
    months = _rule_number(interval, "interval_months", 1, MAX_INTERVAL_MONTHS)
    basis = str(interval.outputs.get("interval_basis") or "").strip()[:200]
    next_due = add_months(start, months)
    values: dict[str, Any] = {"interval_months": months, "next_due": next_due, "basis": basis,
                              "irregular_income": irregular_income,
                              "able_bodied_members": facts["able_bodied_members"], "ended_on": None}
    if review is not None:
        values.update(last_reviewed_on=today, last_review=review)
    schedule, _created = ReviewSchedule.objects.update_or_create(case=case, defaults=values)
    payload = {
        "original_case": case.business_key, "next_due": next_due.isoformat(), "interval_months": months,
        "reason": basis, "irregular_income": irregular_income, "able_bodied_members": facts["able_bodied_members"],
        "rules": [policy.audit(), interval.audit()],
    }
    record_on_case(case, "review.scheduled", payload, actor)
    if record_event is not None:
        record_event("review.scheduled", payload)
    return schedule


def enrol(case: Case, *, actor: Any = None, irregular_income: bool = False) -> ReviewSchedule:
    """Decide when an approved case is first reviewed (counted from its approval). Returns the schedule; an
    enrolled case keeps the schedule it has."""
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("household", "program").get(pk=case.pk)
        existing = ReviewSchedule.objects.filter(case=case).first()
        if existing is not None:
            return existing
        _check_approved(case)
        _review_program(case)
        return schedule_next_review(case, start=approval_date(case), irregular_income=irregular_income, actor=actor)


# --- opening a review -------------------------------------------------------------------------------------


def recipient_name(members: list[Member]) -> str:
    """Whom the review's documents are addressed to: the head, else the first living member, else the head's
    family."""
    living = [m for m in members if not m.deceased]
    head = next((m for m in members if m.relation == Member.Relation.HEAD), members[0] if members else None)
    if head is not None and not head.deceased:
        return head.name
    if living:
        return living[0].name
    return _("%(name)s家属") % {"name": head.name} if head is not None else ""


def review_start_data(original: Case, review: Case, *, trigger: str, death_date: date | None,
                      schedule: ReviewSchedule | None) -> dict[str, Any]:
    """What ``annual_review`` starts with: the living household (no ID numbers) and the approved case's facts."""
    members = list(original.household.members.order_by("pk"))
    living = [m for m in members if not m.deceased]
    return {
        "household_size": len(living),
        "county": original.household.village_id[:6],
        "as_of": timezone.localdate().isoformat(),
        "applicant_name": recipient_name(members),
        "program_name": review.program.name,
        "separately_registered": review.separately_registered,
        "members": member_facts(living),
        "deceased_members": [m.name for m in members if m.deceased],
        "original_case": original.business_key,
        "original_program": original.program_id,
        "original_program_name": original.program.name,
        "original_amount": float(original.monthly_amount or 0),
        "review_trigger": trigger,
        "death_date": death_date.isoformat() if death_date else "",
        "irregular_income": schedule.irregular_income if schedule is not None else False,
    }


def _register_review_conflicts(original: Case, review: Case, members: list[Member]) -> None:
    """Staff related to the household are recused from the review too: the relatives register matched again, and
    what the applicant declared on the approved case."""
    findings = find_conflicts(review.household, members, None)
    for row in CaseConflict.objects.filter(case=original, source=CaseConflict.Source.DECLARED):
        findings.append(ConflictFinding(staff=row.staff, staff_name=row.staff_name, member_name=row.member_name,
                                        relation=row.relation, source=row.source))
    register_conflicts(review, findings)


def _close_stale(link: ReviewCase) -> None:
    """A review whose process was cancelled never concludes; close it so that the case can be reviewed again."""
    review = link.review
    now = timezone.now()
    link.outcome, link.concluded_at = ReviewCase.Outcome.CANCELLED, now
    link.save(update_fields=["outcome", "concluded_at"])
    if review.status == Case.Status.OPEN:
        review.status, review.closed_at = Case.Status.WITHDRAWN, now
        review.save(update_fields=["status", "closed_at"])
    record_on_case(review, "case.closed", {"business_key": review.business_key, "outcome": "withdrawn",
                                           "reason": _("核查流程已撤销")})


def open_link(original: Case) -> ReviewCase | None:
    """The review of ``original`` that is open now (a cancelled one is closed on the way)."""
    link = (ReviewCase.objects.filter(original=original, concluded_at__isnull=True)
            .select_related("review__instance", "review__program").first())
    if link is None:
        return None
    instance = link.review.instance
    if instance is not None and instance.status != ProcessInstance.Status.RUNNING:
        _close_stale(link)
        return None
    return link


def open_review(original: Case, *, trigger: str = ReviewCase.Trigger.SCHEDULED, actor: Any = None,
                death_date: date | None = None, due_on: date | None = None) -> tuple[Case, bool]:
    """Open the review of an approved case, or return the one already open. Returns (review case, created)."""
    review_program = _review_program(original)
    try:
        with transaction.atomic():
            original = (Case.objects.select_for_update(of=("self",)).select_related("household", "program")
                        .get(pk=original.pk))
            _check_approved(original)
            existing = open_link(original)
            if existing is not None:
                return existing.review, False
            members = list(original.household.members.order_by("pk"))
            review = new_case(original.household, review_program,
                              separately_registered=original.separately_registered)
            _register_review_conflicts(original, review, members)
            ReviewCase.objects.create(review=review, original=original, trigger=trigger, due_on=due_on,
                                      death_date=death_date, previous_amount=original.monthly_amount)
            schedule = ReviewSchedule.objects.filter(case=original).first()
            start_case_process(review, actor=actor, data=review_start_data(
                original, review, trigger=trigger, death_date=death_date, schedule=schedule))
            record_on_case(original, "review.opened", {
                "review_case": review.business_key, "trigger": trigger,
                "due_on": due_on.isoformat() if due_on else None,
                "died_on": death_date.isoformat() if death_date else None,
            }, actor)
    except IntegrityError:
        # Another opening of the same review committed first (the unique constraints): return that one.
        existing = open_link(original)
        if existing is None:
            raise
        return existing.review, False
    return review, True


# --- deaths -----------------------------------------------------------------------------------------------


class DeathRefused(ValueError):
    pass


def _note_death(member: Member, original: Case, *, actor: Any = None) -> Case:
    """Open (or join) the review of ``original`` for ``member``'s death, once per member and case."""
    died_on = member.deceased_on
    payload = {"member": member.name, "died_on": died_on.isoformat(), "original_case": original.business_key}
    with transaction.atomic():
        noted = DeathTrigger.objects.filter(member=member, case=original).select_related("review").first()
        if noted is not None:
            return noted.review
        record_on_case(original, "member.deceased", payload, actor)
        review, created = open_review(original, trigger=ReviewCase.Trigger.DEATH, actor=actor, death_date=died_on)
        if not created:
            # A review already running re-checks the death too; its staff see it in the review's timeline.
            runtime.record_event(review.instance_id, "member.deceased", actor=actor, payload=payload)
            ReviewCase.objects.filter(review=review, death_date__isnull=True).update(death_date=died_on)
        DeathTrigger.objects.create(member=member, case=original, review=review, died_on=died_on)
    return review


def record_death(member: Member, died_on: date, *, actor: Any = None) -> list[Case]:
    """Mark the person deceased in every household register that lists them and open an immediate review of
    each approved 低保/特困 case of those households. Returns the reviews (idempotent for the same date)."""
    if died_on > timezone.localdate():
        raise DeathRefused(_("死亡日期不能晚于今天"))
    if died_on < member.birth_date:
        raise DeathRefused(_("死亡日期不能早于出生日期"))
    with transaction.atomic():
        rows = list(Member.objects.select_for_update().filter(resident_id=member.resident_id).order_by("pk"))
        if any(m.deceased_on not in (None, died_on) for m in rows):
            raise DeathRefused(_("%(name)s 已登记了另一个死亡日期；更正死亡日期须核实后另行办理")
                               % {"name": member.name})
        newly = [row for row in rows if row.deceased_on is None]
        for row in newly:
            row.deceased_on = died_on
            row.save(update_fields=["deceased_on"])
        by_household = {row.household_id: row for row in rows}
        originals = list(reviewable_cases().filter(household_id__in=list(by_household))
                         .select_related("household", "program").order_by("pk"))
        if not originals:
            if newly:  # no case to record it on: the system chain
                audit.append("member.deceased", actor=actor, payload={
                    "member": member.name, "died_on": died_on.isoformat(), "households": sorted(by_household)})
            return []
        return [_note_death(by_household[case.household_id], case, actor=actor) for case in originals]


def unnoted_deaths() -> list[tuple[Member, Case]]:
    """Deceased members of approved households whose death has not opened a review of that case yet (deaths
    recorded without ``record_death``: the admin, a data correction)."""
    originals = list(reviewable_cases().filter(household__members__deceased_on__isnull=False).distinct()
                     .select_related("household", "program").order_by("pk"))
    noted = set(DeathTrigger.objects.filter(case__in=originals).values_list("member_id", "case_id"))
    found = []
    for case in originals:
        for member in case.household.members.filter(deceased_on__isnull=False).order_by("pk"):
            if (member.pk, case.pk) not in noted:
                found.append((member, case))
    return found


# --- the scheduler ----------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    death_reviews: list[str] = field(default_factory=list)
    enrolled: int = 0
    opened: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"death_reviews": self.death_reviews, "enrolled": self.enrolled, "opened": self.opened,
                "failed": self.failed}


def due_schedules(today: date) -> QuerySet[ReviewSchedule]:
    running = ReviewCase.objects.filter(original=OuterRef("case"), concluded_at__isnull=True,
                                        review__instance__status=ProcessInstance.Status.RUNNING)
    return (ReviewSchedule.objects.filter(next_due__lte=today, case__status=Case.Status.APPROVED,
                                          case__program_id__in=list(REVIEW_PROGRAMS))
            .filter(~Exists(running)).select_related("case__household", "case__program").order_by("next_due", "pk"))


def open_due_reviews(*, today: date | None = None, actor: Any = None, limit: int = 500) -> SweepResult:
    """Deaths not yet reviewed, approved cases not yet enrolled, reviews due on or before ``today``.

    Each case is handled in its own transaction; one that fails is logged (business key only) and the sweep goes
    on. Running it again, or twice at once, opens nothing twice.
    """
    today = today or timezone.localdate()
    result = SweepResult()

    def attempt(case: Case, what: str, action) -> Any:  # noqa: ANN001 - a callable doing one case
        try:
            return action()
        except (ReviewRefused, EngineError, IntegrityError) as err:
            log.warning("review sweep: %s of case %s failed: %s", what, case.business_key, err)
            result.failed.append(case.business_key)
            return None

    for member, case in unnoted_deaths()[:limit]:
        review = attempt(case, "death review", lambda m=member, c=case: _note_death(m, c, actor=actor))
        if review is not None:
            result.death_reviews.append(review.business_key)
    pending = reviewable_cases().filter(review_schedule__isnull=True).select_related("household", "program")
    for case in pending.order_by("pk")[:limit]:
        if attempt(case, "enrolment", lambda c=case: enrol(c, actor=actor)) is not None:
            result.enrolled += 1
    for schedule in due_schedules(today)[:limit]:
        case = schedule.case
        opened = attempt(case, "review", lambda s=schedule: open_review(
            s.case, trigger=ReviewCase.Trigger.SCHEDULED, actor=actor, due_on=s.next_due))
        if opened is not None and opened[1]:
            result.opened.append(opened[0].business_key)
    if result.death_reviews or result.enrolled or result.opened or result.failed:
        log.info("review sweep: %d death reviews, %d enrolled, %d reviews opened, %d failed",
                 len(result.death_reviews), result.enrolled, len(result.opened), len(result.failed))
    return result
