"""Schedules come as cron lines or words; crons go back into words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.parsing import ScheduleError, describe_cron, parse_schedule

SCHEDULES = [
    pytest.param("0 */6 * * *", "0 */6 * * *", "every 6 hours", id="cron"),
    pytest.param("  0  */6 * * *  ", "0 */6 * * *", "every 6 hours", id="cron-extra-spaces"),
    pytest.param("`0 2 * * *`", "0 2 * * *", "daily at 02:00", id="cron-in-backticks"),
    pytest.param("0 9 * * MON-FRI", "0 9 * * MON-FRI", "weekdays at 09:00", id="cron-day-names"),
    pytest.param("@daily", "0 0 * * *", "daily at 00:00", id="cron-macro"),
    pytest.param("every 6 hours", "0 */6 * * *", "every 6 hours", id="every-6-hours"),
    pytest.param("Every 6 Hours.", "0 */6 * * *", "every 6 hours", id="mixed-case-dot"),
    pytest.param("every six hours", "0 */6 * * *", "every 6 hours", id="number-word"),
    pytest.param("every 6h", "0 */6 * * *", "every 6 hours", id="every-6h"),
    pytest.param("run it every 6 hours please", "0 */6 * * *", "every 6 hours", id="polite"),
    pytest.param("every 15 minutes", "*/15 * * * *", "every 15 minutes", id="every-15-minutes"),
    pytest.param("every 30 mins", "*/30 * * * *", "every 30 minutes", id="every-30-mins"),
    pytest.param("every half hour", "*/30 * * * *", "every 30 minutes", id="half-hour"),
    pytest.param("every minute", "* * * * *", "every minute", id="every-minute"),
    pytest.param("hourly", "0 * * * *", "every hour", id="hourly"),
    pytest.param("every hour", "0 * * * *", "every hour", id="every-hour"),
    pytest.param("every 60 minutes", "0 * * * *", "every hour", id="every-60-minutes"),
    pytest.param("hourly at :15", "15 * * * *", "every hour at :15", id="hourly-at-minute"),
    pytest.param("every hour at half past", "30 * * * *", "every hour at :30", id="half-past"),
    pytest.param("every other hour", "0 */2 * * *", "every 2 hours", id="every-other-hour"),
    pytest.param("twice a day", "0 */12 * * *", "every 12 hours", id="twice-a-day"),
    pytest.param("daily", "0 0 * * *", "daily at 00:00", id="daily"),
    pytest.param("daily at 2am", "0 2 * * *", "daily at 02:00", id="daily-at-2am"),
    pytest.param("daily at 2 a.m.", "0 2 * * *", "daily at 02:00", id="daily-at-2-a-m"),
    pytest.param("every day at 14:30", "30 14 * * *", "daily at 14:30", id="every-day-at-24h"),
    pytest.param("at 2am", "0 2 * * *", "daily at 02:00", id="only-a-time"),
    pytest.param("at noon", "0 12 * * *", "daily at 12:00", id="noon"),
    pytest.param("nightly", "0 0 * * *", "daily at 00:00", id="nightly"),
    pytest.param("every night at 11", "0 23 * * *", "daily at 23:00", id="night-means-pm"),
    pytest.param("every evening at 7", "0 19 * * *", "daily at 19:00", id="evening-means-pm"),
    pytest.param("weekly", "0 0 * * 1", "every Monday at 00:00", id="weekly"),
    pytest.param("every monday at 9", "0 9 * * 1", "every Monday at 09:00", id="monday-at-9"),
    pytest.param("Mondays at 9:30am", "30 9 * * 1", "every Monday at 09:30", id="mondays"),
    pytest.param(
        "tues and thurs at 5pm",
        "0 17 * * 2,4",
        "every Tuesday and Thursday at 17:00",
        id="two-days",
    ),
    pytest.param("weekdays at 7am", "0 7 * * 1-5", "weekdays at 07:00", id="weekdays"),
    pytest.param(
        "every monday to friday at 8", "0 8 * * 1-5", "weekdays at 08:00", id="monday-to-friday"
    ),
    pytest.param("every weekend at 10am", "0 10 * * 0,6", "weekends at 10:00", id="weekends"),
    pytest.param(
        "weekly on sunday at 18:00", "0 18 * * 0", "every Sunday at 18:00", id="weekly-on-sunday"
    ),
    pytest.param("monthly", "0 0 1 * *", "monthly on the 1st at 00:00", id="monthly"),
    pytest.param(
        "monthly on the 15th at 3pm",
        "0 15 15 * *",
        "monthly on the 15th at 15:00",
        id="monthly-on-day",
    ),
    pytest.param(
        "on the 1st of every month", "0 0 1 * *", "monthly on the 1st at 00:00", id="1st-of-month"
    ),
    pytest.param("yearly", "0 0 1 1 *", "every year on January 1 at 00:00", id="yearly"),
]

# Schedules in words as people type them (issue 22): counts per day, lists of times, hour
# ranges, parts of the day, day ranges, days of the month, typos.
IN_WORDS = [
    pytest.param("two times in a day", "0 */12 * * *", False, id="two-times-in-a-day"),
    pytest.param("twice daily", "0 */12 * * *", False, id="twice-daily"),
    pytest.param("3 times a day", "0 */8 * * *", False, id="three-times-a-day"),
    pytest.param("4x a day", "0 */6 * * *", False, id="4x-a-day"),
    pytest.param("once a day", "0 0 * * *", False, id="once-a-day"),
    pytest.param("twice an hour", "*/30 * * * *", False, id="twice-an-hour"),
    pytest.param("every weekday at 7", "0 7 * * 1-5", True, id="every-weekday-at-7"),
    pytest.param("weekdays 7am", "0 7 * * 1-5", True, id="weekdays-7am"),
    pytest.param("daily 7", "0 7 * * *", True, id="bare-hour"),
    pytest.param("nightly", "0 0 * * *", False, id="nightly-no-clock"),
    pytest.param("every quarter hour", "*/15 * * * *", False, id="quarter-hour"),
    pytest.param("quarter-hourly", "*/15 * * * *", False, id="quarter-hourly"),
    pytest.param("each monday morning", "0 6 * * 1", False, id="monday-morning"),
    pytest.param("at 6 and 18", "0 6,18 * * *", True, id="at-6-and-18"),
    pytest.param("6am and 6pm", "0 6,18 * * *", True, id="6am-and-6pm"),
    pytest.param("twice a day at 9 and 5", "0 9,17 * * *", True, id="9-and-5"),
    pytest.param("noon and midnight", "0 0,12 * * *", True, id="noon-and-midnight"),
    pytest.param("hourly on weekdays", "0 * * * 1-5", False, id="hourly-on-weekdays"),
    pytest.param("every 2 hrs mon-fri", "0 */2 * * 1-5", False, id="mon-fri"),
    pytest.param("m-f at 8", "0 8 * * 1-5", True, id="m-f"),
    pytest.param("once a week", "0 0 * * 1", False, id="once-a-week"),
    pytest.param("once a week on fridays", "0 0 * * 5", False, id="once-a-week-friday"),
    pytest.param("first of the month", "0 0 1 * *", False, id="first-of-the-month"),
    pytest.param("1st and 15th of the month at 6am", "0 6 1,15 * *", True, id="1st-and-15th"),
    pytest.param("every morning", "0 6 * * *", False, id="every-morning"),
    pytest.param("in the evening", "0 18 * * *", False, id="in-the-evening"),
    pytest.param("morning and evening", "0 6,18 * * *", False, id="morning-and-evening"),
    pytest.param("at seven in the evening", "0 19 * * *", True, id="seven-in-the-evening"),
    pytest.param("every night at 2", "0 2 * * *", True, id="night-at-2-stays-am"),
    pytest.param("midnight", "0 0 * * *", True, id="midnight"),
    pytest.param("each day 3 am", "0 3 * * *", True, id="each-day-3-am"),
    pytest.param("every day @ 3am", "0 3 * * *", True, id="at-sign"),
    pytest.param("every hour between 9 and 17", "0 9-17 * * *", True, id="hour-range"),
    pytest.param("hourly from 9 to 5", "0 9-17 * * *", True, id="9-to-5"),
    pytest.param("every 15 minutes 9-17", "*/15 9-16 * * *", True, id="minutes-in-range"),
    pytest.param(
        "every 30 min during business hours", "*/30 9-16 * * 1-5", True, id="business-hours"
    ),
    pytest.param("evry weekdys at 8 in the mornin", "0 8 * * 1-5", True, id="typos"),
    pytest.param("every sunday night at 11", "0 23 * * 0", True, id="sunday-night"),
    pytest.param("every 120 minutes", "0 */2 * * *", False, id="minutes-as-hours"),
    pytest.param("every 6 hours starting at 1", "0 1-23/6 * * *", True, id="starting-at"),
    pytest.param("daily at half past 7", "30 7 * * *", True, id="half-past-an-hour"),
    pytest.param("at 0700", "0 7 * * *", True, id="four-digits"),
    pytest.param("every working day at 07:00", "0 7 * * 1-5", True, id="working-day"),
    pytest.param("last day of the month", "0 0 L * *", False, id="last-day-of-the-month"),
    pytest.param("hourly, on the hour", "0 * * * *", False, id="on-the-hour"),
    pytest.param("at the top of every hour", "0 * * * *", False, id="top-of-the-hour"),
    pytest.param("every weekday at 7ish", "0 7 * * 1-5", True, id="ish"),
    pytest.param("once daily at 5", "0 5 * * *", True, id="once-daily"),
    pytest.param("every half-hour", "*/30 * * * *", False, id="half-hour-hyphen"),
    pytest.param("month end at 6pm", "0 18 L * *", True, id="month-end"),
    pytest.param("0 7 * * *", "0 7 * * *", True, id="cron-with-clock"),
    pytest.param("0 */6 * * *", "0 */6 * * *", False, id="cron-without-clock"),
]

MANUAL = [
    "manual",
    "Manually",
    "never",
    "on demand",
    "no schedule",
    "only when I ask",
    "don't schedule it",
    "just manual pls",
    "I'll trigger it myself",
    "no need for a schedule",
    "none for now",
    "no thanks, manual",
    "i'll do it by hand",
    "whenever i want",
]

INVALID = [
    pytest.param("every 7 hours", "Every 7 hours", id="hours-not-dividing-a-day"),
    pytest.param("every 7 minutes", "Every 7 minutes", id="minutes-not-dividing-an-hour"),
    pytest.param("every 2 days", "Every 2 days", id="every-2-days"),
    pytest.param("0 */6 * *", "has 4 fields", id="cron-with-four-fields"),
    pytest.param("61 * * * *", "not a valid cron line", id="cron-out-of-range"),
    pytest.param("daily at 25:00", "not a time of day", id="hour-25"),
    pytest.param("daily at 13pm", "not a time of day", id="13pm"),
    pytest.param("sometimes", 'couldn\'t read "sometimes"', id="words-we-do-not-know"),
    pytest.param("every day at banana", "couldn't read", id="leftover-words"),
    pytest.param("at 7:30 and 19:00", "different minutes", id="two-minutes"),
    pytest.param("5 times a day", "5 times a day", id="five-times-a-day"),
    pytest.param("twice a week", "Which days?", id="twice-a-week-without-days"),
    pytest.param("between 9 and 17", "How often", id="range-without-frequency"),
    pytest.param("", "couldn't read", id="empty"),
]


@pytest.mark.parametrize(("text", "cron", "description"), SCHEDULES)
def test_a_schedule_becomes_a_cron_line(text: str, cron: str, description: str) -> None:
    schedule = parse_schedule(text)

    assert (schedule.cron, schedule.description) == (cron, description)


@pytest.mark.parametrize(("text", "cron", "clock"), IN_WORDS)
def test_words_become_a_cron_line_and_say_whether_they_name_clock_times(
    text: str, cron: str, clock: bool
) -> None:
    schedule = parse_schedule(text)

    assert (schedule.cron, schedule.clock) == (cron, clock)


def test_a_time_alone_is_marked_so_the_days_chosen_before_may_stay() -> None:
    assert parse_schedule("actually make it 10pm").times_only
    assert not parse_schedule("every sunday at 10pm").times_only


@pytest.mark.parametrize("text", MANUAL)
def test_manual_means_no_schedule(text: str) -> None:
    schedule = parse_schedule(text)

    assert schedule.manual
    assert schedule.cron is None


@pytest.mark.parametrize(("text", "why"), INVALID)
def test_an_invalid_schedule_is_explained_with_examples(text: str, why: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text)

    assert why in caught.value.message
    assert '"every 6 hours"' in caught.value.message
    assert "daily at 2am" in caught.value.examples


def test_the_next_run_follows_now() -> None:
    now = datetime(2026, 1, 1, 1, 30, tzinfo=UTC)

    schedule = parse_schedule("every 6 hours", now=now)

    assert schedule.next_run == datetime(2026, 1, 1, 6, 0, tzinfo=UTC)


def test_without_now_there_is_no_next_run() -> None:
    assert parse_schedule("hourly").next_run is None


DESCRIPTIONS = [
    pytest.param("0 */6 * * *", "every 6 hours", id="every-6-hours"),
    pytest.param("30 */4 * * *", "every 4 hours at :30", id="every-4-hours-at-minute"),
    pytest.param("*/5 * * * *", "every 5 minutes", id="every-5-minutes"),
    pytest.param("0 0,12 * * *", "daily at 00:00 and 12:00", id="two-times-a-day"),
    pytest.param("0 0 * * 0", "every Sunday at 00:00", id="sunday"),
    pytest.param("0 0 * * 7", "every Sunday at 00:00", id="sunday-as-7"),
    pytest.param("30 8 * * 6,0", "weekends at 08:30", id="weekends"),
    pytest.param("0 0 * * 1-7", "daily at 00:00", id="every-day-of-the-week"),
    pytest.param(
        "15 2 * * MON,WED,FRI", "every Monday, Wednesday and Friday at 02:15", id="day-names"
    ),
    pytest.param("0 6 2 * *", "monthly on the 2nd at 06:00", id="monthly-2nd"),
    pytest.param("0 6 23 * *", "monthly on the 23rd at 06:00", id="monthly-23rd"),
    pytest.param("@hourly", "every hour", id="macro"),
    pytest.param("0 9-17 * * *", "every hour from 09:00 to 17:00", id="hour-range"),
    pytest.param("0 8-20/4 * * 1-5", "every 4 hours from 08:00 to 20:00 on weekdays", id="step"),
    pytest.param("*/15 9-16 * * *", "every 15 minutes from 09:00 to 16:45", id="minute-range"),
    pytest.param("0 * * * 1-5", "every hour on weekdays", id="hourly-on-weekdays"),
    pytest.param("0 6 1,15 * *", "monthly on the 1st and 15th at 06:00", id="two-days-a-month"),
    pytest.param("0 0 * 1-6 *", "on the schedule 0 0 * 1-6 *", id="fallback-months"),
    pytest.param("0 0 L * *", "monthly on the last day at 00:00", id="last-day"),
    pytest.param("0 0 L 2 *", "on the schedule 0 0 L 2 *", id="fallback-last-day-of-a-month"),
]


@pytest.mark.parametrize(("cron", "words"), DESCRIPTIONS)
def test_a_cron_line_is_described_in_words(cron: str, words: str) -> None:
    assert describe_cron(cron) == words
