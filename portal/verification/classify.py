"""Which declared kind a registry record is compared with.

Registries name their items in free text (养老金, 工资, 小型汽车, 住房 …); the household declares
income as ``IncomeItem.Kind`` and assets as ``Asset.Kind``. A record's kind is found from its
category by keyword (the first table entry whose keyword occurs in the category wins), and failing
that from its source:

income  养老金/退休金/失业/补贴/补助/抚恤/赡养/救助/保险金/年金 → transfer; 经营 → business;
        租金/出租/利息/股息/红利/分红/财产 → property; 工资/薪/劳务/奖金 → wages;
        otherwise 社保 → transfer, 公积金/税务 → wages, 工商/车辆 → business, 银行/不动产 → property,
        其他 → transfer.
asset   车辆 source or 车 → vehicle; 不动产 source or 房/住宅/商铺/宅基地 → house;
        股票/股份/基金/债券/国债/证券/理财 → securities; 存款/储蓄/余额 (and anything else from a bank) → deposit;
        anything else (e.g. a 公积金 balance, which the household cannot draw freely) → other.
"""

from __future__ import annotations

from portal.cases.models import Asset, IncomeItem

from .models import RegistryRecord

Source = RegistryRecord.Source

_INCOME_KEYWORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("养老金", "退休金", "失业", "补贴", "补助", "抚恤", "赡养", "救助", "保险金", "年金"), IncomeItem.Kind.TRANSFER),
    (("经营",), IncomeItem.Kind.BUSINESS),
    (("租金", "出租", "利息", "股息", "红利", "分红", "财产"), IncomeItem.Kind.PROPERTY),
    (("工资", "薪", "劳务", "奖金"), IncomeItem.Kind.WAGES),
)
_INCOME_BY_SOURCE = {
    Source.SOCIAL_INSURANCE: IncomeItem.Kind.TRANSFER,
    Source.HOUSING_FUND: IncomeItem.Kind.WAGES,
    Source.TAX: IncomeItem.Kind.WAGES,
    Source.BUSINESS_REGISTRY: IncomeItem.Kind.BUSINESS,
    Source.VEHICLE: IncomeItem.Kind.BUSINESS,
    Source.BANK: IncomeItem.Kind.PROPERTY,
    Source.REAL_ESTATE: IncomeItem.Kind.PROPERTY,
    Source.OTHER: IncomeItem.Kind.TRANSFER,
}
_ASSET_KEYWORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("车",), Asset.Kind.VEHICLE),
    (("房", "住宅", "商铺", "宅基地"), Asset.Kind.HOUSE),
    (("股票", "股份", "基金", "债券", "国债", "证券", "理财"), Asset.Kind.SECURITIES),
    (("存款", "储蓄", "余额"), Asset.Kind.DEPOSIT),
)
_ASSET_BY_SOURCE = {
    Source.VEHICLE: Asset.Kind.VEHICLE,
    Source.REAL_ESTATE: Asset.Kind.HOUSE,
}


def _by_keyword(category: str, table: tuple[tuple[tuple[str, ...], str], ...]) -> str | None:
    for keywords, kind in table:
        if any(word in category for word in keywords):
            return kind
    return None


def income_kind(source: str, category: str) -> str:
    """The ``IncomeItem.Kind`` value a registry income record is compared with."""
    return _by_keyword(category, _INCOME_KEYWORDS) or _INCOME_BY_SOURCE[source]


def asset_kind(source: str, category: str) -> str:
    """The ``Asset.Kind`` value a registry asset record is compared with."""
    if source in _ASSET_BY_SOURCE:
        return _ASSET_BY_SOURCE[source]
    if source == Source.HOUSING_FUND:
        return Asset.Kind.OTHER
    found = _by_keyword(category, _ASSET_KEYWORDS)
    if found is None and source == Source.BANK:
        return Asset.Kind.DEPOSIT
    return found or Asset.Kind.OTHER
