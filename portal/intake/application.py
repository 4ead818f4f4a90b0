"""An application form becomes a household and an open case: the checks the schema cannot express, then the rows.

The form (``forms/schemas/dibao_application.json``) lists the members with their income and flags, the household's
assets and the applicant's declaration of a staff relation. ``check_household_rows`` adds the cross-row errors to the
bound form; ``register_application`` writes everything and opens the case in one transaction.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from forms.renderer import BoundTaskForm
from portal.cases.models import Asset, Case, Household, IncomeItem, Jurisdiction, Member, Program
from portal.cases.services import open_case

MEMBERS = "members"
# The household_application fields that become rows (household, members, assets, conflicts) rather than
# process data; every other field of a program's application (its own questions) goes to the process.
HOUSEHOLD_FIELDS = {"applicant_name", "resident_id", "address", MEMBERS, "assets", "staff_relation_declared",
                    "staff_relation_name", "staff_relation_member", "staff_relation_detail",
                    "authorize_verification", "truthfulness_pledge"}


def _live_rows(bound: BoundTaskForm, name: str) -> list[tuple[int, Any]]:
    """(index, row form) of the rows the caseworker filled in and did not delete."""
    rows = []
    for index, form in enumerate(bound.formsets[name].forms):
        cleaned = getattr(form, "cleaned_data", None) or {}
        if form.has_changed() and not cleaned.get("DELETE"):
            rows.append((index, form))
    return rows


def check_household_rows(bound: BoundTaskForm) -> None:
    """Add the household-level errors to a bound application form (after ``is_valid()``)."""
    formset = bound.formsets[MEMBERS]
    rows = _live_rows(bound, MEMBERS)
    seen: dict[str, int] = {}
    heads: list[Any] = []
    relations_known = True
    for index, form in rows:
        cleaned = form.cleaned_data
        number = cleaned.get("resident_id")
        if number and number in seen:
            form.add_error("resident_id", _("与第 %(row)d 行成员的身份证号重复") % {"row": seen[number] + 1})
        elif number:
            seen[number] = index
        relation = cleaned.get("relation")
        relations_known &= bool(relation)
        if relation == Member.Relation.HEAD:
            heads.append(form)
    for form in heads[1:]:
        form.add_error("relation", _("一户只能有一名户主"))
    if rows and relations_known and not heads:
        formset.non_form_errors().append(_("须登记一名户主（“与户主关系”选“户主”）"))

    ids_known = all(form.cleaned_data.get("resident_id") for _index, form in rows)
    names = {form.cleaned_data.get("name") for _index, form in rows}
    data = getattr(bound.form, "cleaned_data", {})
    applicant_id, applicant_name = data.get("resident_id"), data.get("applicant_name")
    if rows and ids_known and applicant_id:
        if applicant_id not in seen:
            bound.form.add_error("resident_id", _("申请人须登记在共同生活家庭成员中"))
        elif applicant_name and dict(rows)[seen[applicant_id]].cleaned_data.get("name") != applicant_name:
            bound.form.add_error("applicant_name", _("申请人姓名与家庭成员中登记的姓名不一致"))
    related = data.get("staff_relation_member")
    if data.get("staff_relation_declared") and related and None not in names and related not in names:
        bound.form.add_error("staff_relation_member", _("请填写家庭成员名单中的姓名"))


def declared_relation(data: dict[str, Any]) -> dict[str, str] | None:
    if not data.get("staff_relation_declared"):
        return None
    return {
        "staff_name": data["staff_relation_name"],
        "member_name": data["staff_relation_member"],
        "relation": data["staff_relation_detail"],
    }


def register_application(data: dict[str, Any], *, village: Jurisdiction, program: Program, actor: Any) -> Case:
    """Create the household, its members, income and assets from the cleaned form and open the case, all or nothing
    (``CaseRefused`` leaves nothing behind)."""
    with transaction.atomic():
        household = Household.objects.create(village=village, address=data["address"])
        for row in data[MEMBERS]:
            member = Member.objects.create(
                household=household,
                name=row["name"],
                resident_id=row["resident_id"],
                relation=row["relation"],
                disabled=row.get("severely_disabled", False),
                severely_disabled=row.get("severely_disabled", False),
                seriously_ill=row.get("seriously_ill", False),
                student=row.get("student", False),
                single_parent=row.get("single_parent", False),
            )
            income = Decimal(str(row["monthly_income"]))
            if income:
                IncomeItem.objects.create(household=household, member=member, monthly_amount=income,
                                          kind=row.get("income_kind") or IncomeItem.Kind.WAGES,
                                          note=_("申请时申报"))
        for row in data.get("assets", []):
            Asset.objects.create(household=household, kind=row["kind"], value=Decimal(str(row["value"])),
                                 description=row.get("description", ""))
        return open_case(
            household,
            program,
            actor=actor,
            declared=declared_relation(data),
            data={key: value for key, value in data.items() if key not in HOUSEHOLD_FIELDS},
        )
