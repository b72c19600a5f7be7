"""Time zones come as IANA names, cities, abbreviations, countries and UTC offsets."""

from __future__ import annotations

import pytest

from agent.parsing import find_timezone

ZONES = [
    pytest.param("berlin", "Europe/Berlin", "", id="city"),
    pytest.param("Berlin time", "Europe/Berlin", "", id="city-time"),
    pytest.param("CET", "Europe/Paris", "", id="abbreviation"),
    pytest.param("new york", "America/New_York", "", id="two-word-city"),
    pytest.param("EST", "America/New_York", "", id="est"),
    pytest.param("pacific", "America/Los_Angeles", "", id="pacific"),
    pytest.param("Europe/Paris", "Europe/Paris", "", id="iana"),
    pytest.param("same as utc", "UTC", "same as", id="same-as-utc"),
    pytest.param("german time", "Europe/Berlin", "", id="nationality"),
    pytest.param("uk", "Europe/London", "", id="country"),
    pytest.param("nyc", "America/New_York", "", id="nickname"),
    pytest.param("UTC+2", "Etc/GMT-2", "", id="utc-offset"),
    pytest.param("daily at 7 berlin time", "Europe/Berlin", "daily at 7", id="with-schedule"),
    pytest.param("9am new york", "America/New_York", "9am", id="after-a-time"),
    pytest.param("no, berlin", "Europe/Berlin", "no", id="no-then-a-zone"),
]


@pytest.mark.parametrize(("text", "zone", "rest"), ZONES)
def test_a_zone_is_found_and_taken_out(text: str, zone: str, rest: str) -> None:
    assert find_timezone(text) == (zone, rest)


def test_a_half_hour_offset_is_not_rounded() -> None:
    assert find_timezone("UTC+5:30")[0] is None


@pytest.mark.parametrize(
    "text", ["every weekday at 7", "at 6 and 18", "each monday morning", "yes", "local time"]
)
def test_schedules_and_answers_name_no_zone(text: str) -> None:
    assert find_timezone(text) == (None, text)
