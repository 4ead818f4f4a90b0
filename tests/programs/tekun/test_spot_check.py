"""County spot checks: a running quota per county and year, at least the rate after every case."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from freezegun import freeze_time

from portal.programs.tekun import spot_check
from portal.programs.tekun.models import SpotCheck, SpotCheckCounter

pytestmark = pytest.mark.django_db
MARCH = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_at_least_30_percent_after_every_case_and_the_same_on_replay(make_case):
    with freeze_time(MARCH):
        picks = [spot_check.select(make_case(), rate=0.3, required=False).selected for _ in range(100)]
    assert [n + 1 for n, picked in enumerate(picks) if picked][:5] == [1, 4, 7, 11, 14]
    for n in range(1, 101):
        assert sum(picks[:n]) >= 0.3 * n
        assert sum(picks[:n]) == math.ceil(n * 3 / 10)
    assert SpotCheckCounter.objects.get(county="522601", year=2026).selected == 30
    rows = list(SpotCheck.objects.order_by("sequence").values_list("sequence", "selected_total"))
    assert rows[-1] == (100, 30)


def test_required_visits_count_towards_the_quota(make_case):
    with freeze_time(MARCH):
        required = [spot_check.select(make_case(), rate=0.3, required=True) for _ in range(3)]
        after = [spot_check.select(make_case(), rate=0.3, required=False).selected for _ in range(7)]
    assert all(check.selected and check.required for check in required)
    assert after == [False] * 7  # 3 of 10 visited: the quota is met
    assert SpotCheckCounter.objects.get().selected == 3


def test_a_case_coming_back_keeps_its_selection_unless_it_now_must_be_visited(make_case):
    with freeze_time(MARCH):
        first, second = make_case(), make_case()
        spot_check.select(first, rate=0.3, required=False)
        assert spot_check.select(second, rate=0.3, required=False).selected is False
        again = spot_check.select(second, rate=0.3, required=False)
        assert (again.sequence, again.selected) == (2, False)
        upgraded = spot_check.select(second, rate=0.3, required=True)
    assert (upgraded.sequence, upgraded.selected, upgraded.required, upgraded.selected_total) == (2, True, True, 2)
    assert (SpotCheckCounter.objects.get().cases, SpotCheckCounter.objects.get().selected) == (2, 2)


def test_counted_per_county_and_year(make_case):
    with freeze_time(MARCH):
        assert spot_check.select(make_case(), rate=0.3, required=False).selected
        assert spot_check.select(make_case("522622100201"), rate=0.3, required=False).selected
    with freeze_time(datetime(2027, 1, 4, 1, 0, tzinfo=UTC)):
        check = spot_check.select(make_case(), rate=0.3, required=False)
    assert (check.year, check.sequence, check.selected) == (2027, 1, True)
    assert SpotCheckCounter.objects.count() == 3


@pytest.mark.parametrize("rate", [-0.1, 1.5, True])
def test_rate_must_be_a_share(make_case, rate):
    with pytest.raises(spot_check.SpotCheckError):
        spot_check.select(make_case(), rate=rate, required=False)
