"""Tests for engine.workcalendar (no database, no Django settings needed)."""

import logging
from datetime import UTC, date, datetime
from types import SimpleNamespace

import django.conf
import pytest
from freezegun import freeze_time

from engine import workcalendar
from engine.workcalendar import (
    Overrides,
    add_working_days,
    end_of_working_day_utc,
    is_working_day,
    overrides_from_config,
    working_days_between,
)


@pytest.fixture
def fresh_warnings(monkeypatch):
    monkeypatch.setattr(workcalendar, "_warned_years", set())


@pytest.fixture
def settings_overrides(monkeypatch):
    """Install a fake configured Django settings object carrying ENGINE_WORKCALENDAR."""

    def install(config):
        fake = SimpleNamespace(configured=True, ENGINE_WORKCALENDAR=config)
        monkeypatch.setattr(django.conf, "settings", fake)

    return install


class TestStatutoryCalendar:
    @pytest.mark.parametrize("day", range(1, 9))
    def test_national_day_2025_is_a_holiday(self, day):
        assert is_working_day(date(2025, 10, day)) is False

    def test_day_after_national_day_2025_is_a_working_day(self):
        assert is_working_day(date(2025, 10, 9)) is True

    def test_make_up_sunday_is_a_working_day(self):
        assert date(2025, 9, 28).weekday() == 6
        assert is_working_day(date(2025, 9, 28)) is True

    def test_make_up_saturday_is_a_working_day(self):
        assert is_working_day(date(2025, 10, 11)) is True

    def test_ordinary_weekend_is_not_a_working_day(self):
        assert is_working_day(date(2025, 10, 18)) is False  # Saturday
        assert is_working_day(date(2025, 10, 19)) is False  # Sunday

    def test_datetime_is_treated_as_its_date(self):
        assert is_working_day(datetime(2025, 10, 1, 12, 0)) is False

    def test_rejects_non_dates(self):
        with pytest.raises(TypeError):
            is_working_day("2025-10-01")


class TestAddWorkingDays:
    def test_across_spring_festival_2025(self):
        # Monday 2025-01-27; 2025-01-28..02-04 is the Spring Festival holiday.
        assert add_working_days(date(2025, 1, 27), 1) == date(2025, 2, 5)

    def test_across_spring_festival_2026_counts_make_up_saturday(self):
        # 2026-02-14 (Saturday) is a make-up workday, then 02-15..02-23 are holidays.
        assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
        assert add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)

    def test_across_national_day_2025(self):
        assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
        assert add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)  # Fri -> make-up Sunday

    def test_zero_on_working_day_is_same_day(self):
        assert add_working_days(date(2025, 10, 9), 0) == date(2025, 10, 9)

    def test_zero_on_holiday_is_next_working_day(self):
        assert add_working_days(date(2025, 10, 1), 0) == date(2025, 10, 9)

    def test_negative_is_refused(self):
        with pytest.raises(ValueError):
            add_working_days(date(2025, 10, 1), -1)

    def test_ordinary_week(self):
        assert add_working_days(date(2025, 11, 7), 1) == date(2025, 11, 10)  # Fri -> Mon
        assert add_working_days(date(2025, 11, 3), 5) == date(2025, 11, 10)


class TestWorkingDaysBetween:
    def test_national_day_week(self):
        # (2025-09-30, 2025-10-10]: 10-09 and 10-10 only.
        assert working_days_between(date(2025, 9, 30), date(2025, 10, 10)) == 2

    def test_same_day_is_zero(self):
        assert working_days_between(date(2025, 10, 9), date(2025, 10, 9)) == 0

    def test_reversed_is_negative(self):
        assert working_days_between(date(2025, 10, 10), date(2025, 9, 30)) == -2

    @pytest.mark.parametrize("n", [1, 2, 5, 20, 250])
    def test_inverse_of_add_working_days(self, n):
        start = date(2025, 1, 20)
        assert working_days_between(start, add_working_days(start, n)) == n


class TestEndOfWorkingDay:
    def test_is_2359_59_shanghai_in_utc(self):
        assert end_of_working_day_utc(date(2025, 10, 9)) == datetime(2025, 10, 9, 15, 59, 59, tzinfo=UTC)

    def test_is_aware_utc(self):
        assert end_of_working_day_utc(date(2025, 10, 9)).utcoffset().total_seconds() == 0

    @freeze_time("2025-10-08 17:00:00")  # UTC; 01:00 on 10-09 in Shanghai
    def test_today_in_china_uses_shanghai_date(self):
        assert workcalendar.today_in_china() == date(2025, 10, 9)


class TestFallback:
    def test_far_future_year_uses_monday_to_friday(self, fresh_warnings):
        assert is_working_day(date(2099, 1, 1)) is True  # Thursday, no holiday data
        assert is_working_day(date(2099, 1, 3)) is False  # Saturday

    def test_warns_once_per_year(self, fresh_warnings, caplog):
        with caplog.at_level(logging.WARNING, logger="engine.workcalendar"):
            add_working_days(date(2098, 3, 2), 30)
            is_working_day(date(2098, 6, 1))
        warnings = [r for r in caplog.records if "2098" in r.getMessage()]
        assert len(warnings) == 1
        assert warnings[0].levelno == logging.WARNING

    def test_add_working_days_in_fallback_year_skips_weekends(self, fresh_warnings):
        assert add_working_days(date(2099, 1, 2), 1) == date(2099, 1, 5)  # Fri -> Mon


class TestOverrides:
    def test_settings_extra_holiday_wins(self, settings_overrides, fresh_warnings):
        settings_overrides({"extra_holidays": ["2099-01-01"], "extra_workdays": ["2099-01-03"]})
        assert is_working_day(date(2099, 1, 1)) is False
        assert is_working_day(date(2099, 1, 3)) is True

    def test_settings_override_beats_statutory_data(self, settings_overrides):
        settings_overrides({"extra_workdays": ["2025-10-01"], "extra_holidays": ["2025-10-09"]})
        assert is_working_day(date(2025, 10, 1)) is True
        assert is_working_day(date(2025, 10, 9)) is False
        assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 1)

    def test_holiday_beats_workday_when_listed_in_both(self):
        config = {"extra_holidays": ["2025-10-09"], "extra_workdays": ["2025-10-09"]}
        overrides = overrides_from_config(config)
        assert is_working_day(date(2025, 10, 9), overrides=overrides) is False

    def test_explicit_overrides_argument(self):
        overrides = Overrides(extra_holidays=frozenset({date(2025, 10, 9)}))
        assert add_working_days(date(2025, 9, 30), 1, overrides=overrides) == date(2025, 10, 10)
        assert working_days_between(date(2025, 9, 30), date(2025, 10, 10), overrides=overrides) == 1

    def test_unconfigured_settings_mean_no_overrides(self, monkeypatch):
        monkeypatch.setattr(django.conf, "settings", SimpleNamespace(configured=False))
        assert workcalendar.get_overrides() == workcalendar.NO_OVERRIDES

    def test_missing_setting_means_no_overrides(self, monkeypatch):
        monkeypatch.setattr(django.conf, "settings", SimpleNamespace(configured=True))
        assert workcalendar.get_overrides() == workcalendar.NO_OVERRIDES

    def test_malformed_date_is_reported(self):
        with pytest.raises(ValueError, match="not an ISO date"):
            overrides_from_config({"extra_holidays": ["2025-13-01"]})

    def test_unknown_key_is_reported(self):
        with pytest.raises(ValueError, match="unknown keys"):
            overrides_from_config({"holidays": ["2025-10-01"]})
