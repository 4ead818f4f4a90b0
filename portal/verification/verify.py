"""Household economic verification (家庭经济状况核对): the household's declaration against the registries.

Rules (all arithmetic in ``Decimal``; money reported as floats rounded half-up to 0.01):

* A registry record counts when ``as_of`` lies in its validity range (ends inclusive, open ends
  allowed); the same fact imported in several batches (same person, source, kind, category,
  amount, description and dates) counts once.
* ``sources_checked``: the sources holding any record valid on ``as_of`` (for anyone). A source
  missing there has no data for that day, so a clean result says nothing about it.
* Income, per member: declared = the member's ``IncomeItem`` rows, registry = the member's income
  records; **assessed = the larger of the two, per member**. Taking the larger rather than the sum
  never counts one income twice when the household declared it under another kind; what the
  registry found beyond the declaration is listed as a discrepancy for the home visit. Income
  declared for the household without a member is added to declared and assessed as it is (no
  registry reports it). Per-capita income = assessed / household size (all members on the case).
* Income discrepancy: for a member and an income kind (registry categories mapped by
  ``classify.income_kind``), the registry reports more than the member declared of that kind.
* Assets, per kind (``Asset.Kind``; registry categories mapped by ``classify.asset_kind``):
  discrepancy when the registry's total value exceeds the declared one; for vehicles also when the
  registry has more vehicles than declared. ``vehicles`` = the larger of the two counts.
* Financial assets = deposits + securities, the larger of declared and registry. The limit is
  ``standard × asset_limit_months`` per person, so ``asset_limit`` = that × household size; over
  the limit means strictly more.
* Deceased: a member with ``deceased_on`` on or before ``as_of``, or with a death record valid on
  ``as_of``. A registry death the household file does not show is also a discrepancy.
* ``consistent``: no discrepancy. ``eligible_by_verification``: per-capita assessed income below
  the standard, not over the asset limit, and no deceased member.

Discrepancies are ``{"member", "item", "kind", "declared", "found", "source"}``: ``kind`` is the
income or asset kind code, ``vehicle_count`` or ``death``; ``declared``/``found`` are amounts,
vehicle counts, or for a death ``None`` and the registered date; ``source`` is the source code, or
several joined by commas. Nothing in the result contains a resident ID number.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from portal.cases.models import Asset, Case, IncomeItem, Member

from . import classify
from .models import RegistryRecord, valid_on

CENT = Decimal("0.01")
ZERO = Decimal(0)
FINANCIAL_KINDS = (Asset.Kind.DEPOSIT, Asset.Kind.SECURITIES)
_SAME_FACT = ("resident_id", "source", "kind", "category", "monthly_amount", "value", "description", "valid_from",
              "valid_to")


class VerificationError(ValueError):
    pass


def money(value: Decimal) -> float:
    return float(value.quantize(CENT, rounding=ROUND_HALF_UP))


@dataclass
class _Found:
    """Registry figures of one kind (for one member, or for the household)."""

    amount: Decimal = ZERO
    count: int = 0
    categories: list[str] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)
    owners: list[str] = field(default_factory=list)

    def add(self, amount: Decimal, record: RegistryRecord, owner: str) -> None:
        self.amount += amount
        self.count += 1
        for items, item in ((self.categories, record.category), (self.owners, owner)):
            if item not in items:
                items.append(item)
        self.sources.add(record.source)

    @property
    def source(self) -> str:
        return ",".join(sorted(self.sources))

    def item(self, label: str) -> str:
        return f"{label}：{'、'.join(self.categories)}"


def _records(members: list[Member], as_of: date) -> list[RegistryRecord]:
    rows = RegistryRecord.objects.filter(valid_on(as_of), resident_id__in=[m.resident_id for m in members])
    unique: dict[tuple, RegistryRecord] = {}
    for record in rows.order_by("pk"):
        unique.setdefault(tuple(getattr(record, name) for name in _SAME_FACT), record)
    return list(unique.values())


def _sources_checked(as_of: date) -> list[str]:
    present = set(RegistryRecord.objects.filter(valid_on(as_of)).values_list("source", flat=True).distinct())
    return [code for code in RegistryRecord.Source.values if code in present]


def _income(case: Case, members: list[Member], records: list[RegistryRecord]) -> tuple[dict[str, Decimal], list[dict]]:
    by_pk = {m.pk: m for m in members}
    declared: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    unattributed = ZERO
    for item in case.household.income_items.all():
        if item.member_id in by_pk:
            declared[item.member_id][item.kind] += item.monthly_amount
        else:
            unattributed += item.monthly_amount
    by_id = {m.resident_id: m for m in members}
    found: dict[int, dict[str, _Found]] = defaultdict(lambda: defaultdict(_Found))
    for record in records:
        if record.kind == RegistryRecord.Kind.INCOME:
            member = by_id[record.resident_id]
            kind = classify.income_kind(record.source, record.category)
            found[member.pk][kind].add(record.monthly_amount, record, member.name)

    totals = {"declared": unattributed, "registry": ZERO, "assessed": unattributed}
    discrepancies = []
    for member in members:
        declared_total = sum(declared[member.pk].values(), ZERO)
        registry_total = sum((f.amount for f in found[member.pk].values()), ZERO)
        totals["declared"] += declared_total
        totals["registry"] += registry_total
        totals["assessed"] += max(declared_total, registry_total)
        for kind, label in IncomeItem.Kind.choices:
            figures = found[member.pk].get(kind)
            if figures is not None and figures.amount > declared[member.pk][kind]:
                discrepancies.append({
                    "member": member.name, "item": figures.item(str(label)), "kind": kind,
                    "declared": money(declared[member.pk][kind]), "found": money(figures.amount),
                    "source": figures.source,
                })
    return totals, discrepancies


def _assets(case: Case, members: list[Member], records: list[RegistryRecord]) -> dict[str, Any]:
    declared: dict[str, Decimal] = {kind: ZERO for kind in Asset.Kind.values}
    declared_vehicles = 0
    for asset in case.household.assets.all():
        declared[asset.kind] += asset.value
        declared_vehicles += asset.kind == Asset.Kind.VEHICLE
    by_id = {m.resident_id: m for m in members}
    found: dict[str, _Found] = {kind: _Found() for kind in Asset.Kind.values}
    for record in records:
        if record.kind == RegistryRecord.Kind.ASSET:
            kind = classify.asset_kind(record.source, record.category)
            found[kind].add(record.value, record, by_id[record.resident_id].name)

    discrepancies = []
    for kind, label in Asset.Kind.choices:
        figures = found[kind]
        if figures.amount > declared[kind]:
            discrepancies.append({
                "member": "、".join(figures.owners), "item": figures.item(str(label)), "kind": kind,
                "declared": money(declared[kind]), "found": money(figures.amount), "source": figures.source,
            })
    vehicles = found[Asset.Kind.VEHICLE]
    if vehicles.count > declared_vehicles:
        discrepancies.append({
            "member": "、".join(vehicles.owners), "item": vehicles.item(_("车辆数量")),
            "kind": "vehicle_count", "declared": declared_vehicles, "found": vehicles.count, "source": vehicles.source,
        })
    return {
        "declared": declared,
        "registry": {kind: figures.amount for kind, figures in found.items()},
        "financial": max(sum((declared[k] for k in FINANCIAL_KINDS), ZERO),
                         sum((found[k].amount for k in FINANCIAL_KINDS), ZERO)),
        "vehicles": max(declared_vehicles, vehicles.count),
        "discrepancies": discrepancies,
    }


def _deaths(members: list[Member], records: list[RegistryRecord], as_of: date) -> tuple[list[str], list[dict]]:
    registered: dict[str, RegistryRecord] = {}
    for record in records:
        if record.kind == RegistryRecord.Kind.DEATH:
            registered.setdefault(record.resident_id, record)
    names, discrepancies = [], []
    for member in members:
        in_file = member.deceased_on is not None and member.deceased_on <= as_of
        death = registered.get(member.resident_id)
        if in_file or death is not None:
            names.append(member.name)
        if death is not None and not in_file:
            discrepancies.append({
                "member": member.name, "item": f"{_('死亡登记')}：{death.category}", "kind": "death",
                "declared": None, "found": death.valid_from.isoformat(), "source": death.source,
            })
    return names, discrepancies


def _amounts(values: dict[str, Decimal]) -> dict[str, float]:
    return {**{kind: money(amount) for kind, amount in values.items()}, "total": money(sum(values.values(), ZERO))}


def verify_case(case: Case, *, standard: Decimal, asset_limit_months: Decimal, as_of: date) -> dict[str, Any]:
    """The verification result for ``case`` on ``as_of`` (JSON data; see the module docstring)."""
    members = list(case.household.members.order_by("pk"))
    if not members:
        raise VerificationError("the household has no members")
    records = _records(members, as_of)
    with translation.override("zh-hans"):
        income, income_discrepancies = _income(case, members, records)
        assets = _assets(case, members, records)
        deceased, death_discrepancies = _deaths(members, records, as_of)

    size = len(members)
    per_capita = income["assessed"] / size
    asset_limit = standard * asset_limit_months * size
    over_limit = assets["financial"] > asset_limit
    discrepancies = income_discrepancies + assets["discrepancies"] + death_discrepancies
    return {
        "as_of": as_of.isoformat(),
        "sources_checked": _sources_checked(as_of),
        "registry_batches": sorted({r.batch_id for r in records}),
        "household_size": size,
        "declared_monthly_income": money(income["declared"]),
        "registry_monthly_income": money(income["registry"]),
        "assessed_monthly_income": money(income["assessed"]),
        "per_capita_income": money(per_capita),
        "declared_assets": _amounts(assets["declared"]),
        "registry_assets": _amounts(assets["registry"]),
        "financial_assets": money(assets["financial"]),
        "asset_limit": money(asset_limit),
        "over_asset_limit": over_limit,
        "vehicles": assets["vehicles"],
        "discrepancies": discrepancies,
        "deceased_members": deceased,
        "consistent": not discrepancies,
        "eligible_by_verification": per_capita < standard and not over_limit and not deceased,
    }
