"""Registry categories mapped to the kinds a household declares."""

import pytest

from portal.verification.classify import asset_kind, income_kind


@pytest.mark.parametrize(("source", "category", "kind"), [
    ("social_insurance", "企业职工养老金", "transfer"),
    ("social_insurance", "失业保险金", "transfer"),
    ("social_insurance", "缴费基数", "transfer"),  # no keyword: the source decides
    ("tax", "工资薪金所得", "wages"),
    ("tax", "经营所得", "business"),
    ("tax", "财产租赁所得", "property"),
    ("tax", "综合所得", "wages"),
    ("housing_fund", "缴存基数", "wages"),
    ("business_registry", "个体工商户", "business"),
    ("bank", "利息", "property"),
    ("other", "高龄补贴", "transfer"),
])
def test_income_kind(source, category, kind):
    assert income_kind(source, category) == kind


@pytest.mark.parametrize(("source", "category", "kind"), [
    ("vehicle", "小型普通客车", "vehicle"),
    ("vehicle", "摩托车", "vehicle"),
    ("real_estate", "商铺", "house"),
    ("real_estate", "土地", "house"),
    ("bank", "活期存款", "deposit"),
    ("bank", "账户", "deposit"),
    ("bank", "基金", "securities"),
    ("bank", "国债", "securities"),
    ("housing_fund", "公积金余额", "other"),
    ("business_registry", "股票账户", "securities"),
    ("business_registry", "注册资本", "other"),
    ("other", "营运货车", "vehicle"),
])
def test_asset_kind(source, category, kind):
    assert asset_kind(source, category) == kind
