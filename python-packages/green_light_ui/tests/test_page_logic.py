"""The plain functions behind the pages' wiring: what a map click changes, what a link
carries, how a table's columns and a crash's time read."""

from __future__ import annotations

from green_light_ui.dashboards.hotspots import (
    ONE_YEAR_TREND,
    HotspotFilters,
    trend,
    trend_label,
)
from green_light_ui.dashboards.overview import Period
from green_light_ui.labels import time_of_day
from green_light_ui.links import hotspot_link, place_link
from green_light_ui.maps import new_pick


def test_a_map_click_is_applied_once_so_the_list_can_change_the_pick():
    state: dict[str, object] = {}
    assert new_pick(state, "hotspot_map", "cell-a") == "cell-a"
    state["spot"] = "cell-b"  # then picked in the list: the map still selects cell-a
    assert new_pick(state, "hotspot_map", "cell-a") is None
    assert new_pick(state, "hotspot_map", "cell-c") == "cell-c"
    assert new_pick(state, "hotspot_map", None) is None
    assert new_pick(state, "hotspot_map", "cell-c") == "cell-c", "clicked again after a clear"
    assert new_pick(state, "accident_map", "cell-c") == "cell-c", "each chart its own memory"


def test_a_one_year_period_has_no_trend_rather_than_every_spot_new():
    one_year = HotspotFilters(Period(2022, 2022))
    assert trend_label(trend(0, 7, one_year), one_year.period.years) == ONE_YEAR_TREND
    two_years = HotspotFilters(Period(2021, 2022))
    assert trend_label(trend(0, 7, two_years), 2) == "new"
    assert trend_label(trend(4, 8, two_years), 2) == "rising (+100%)"
    assert trend_label(trend(10, 10, two_years), 2) == "steady"


def test_links_between_pages_carry_the_period_only():
    current = {"years": "2019-2021", "min": "5", "place": "dep:59"}
    assert place_link("dep", "75", current) == "place?place=dep%3A75&years=2019-2021"
    assert (
        hotspot_link("8a1fb46622dffff", current) == "hotspots?spot=8a1fb46622dffff&years=2019-2021"
    )
    assert place_link("commune", "59350", {}) == "place?place=commune%3A59350"


def test_a_crash_with_an_unknown_hour_reads_so():
    assert time_of_day(None, None) == "time unknown"
    assert time_of_day(float("nan"), 5) == "time unknown"
    assert time_of_day(14, None) == "14h"
    assert time_of_day(14.0, 5.0) == "14h05"
