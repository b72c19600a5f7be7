"""The transition table as a specification: where each event leads, written out by hand."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from fsm import (
    INITIAL,
    TRANSITIONS,
    EditTarget,
    Event,
    Facts,
    GuardRefused,
    InvalidTransition,
    State,
    fire,
)
from tests.fsm.examples import (
    COMPLETE,
    NO_STREAMS,
    RETRYABLE,
    SCOPED,
    SINK,
    SOURCE,
    STREAMS,
    edit,
    every_facts,
)

S, E = State, Event

# (state, event, facts, expected destination): the whole table, one line per (source, row).
CASES: list[tuple[State, Event, Facts, State]] = [
    (S.WELCOME, E.START, SOURCE, S.SELECT_SOURCE_TYPE),
    (S.SELECT_SOURCE_TYPE, E.TYPE_CHOSEN, SOURCE, S.GATHER_CREDENTIALS),
    (S.GATHER_CREDENTIALS, E.FIELDS_COMPLETE, COMPLETE, S.TEST_CONNECTION),
    (S.GATHER_CREDENTIALS, E.RETRY, RETRYABLE, S.TEST_CONNECTION),
    (S.TEST_CONNECTION, E.TEST_PASSED, SOURCE, S.DISCOVER_SCHEMA),
    (S.TEST_CONNECTION, E.TEST_PASSED, SINK, S.CONFIGURE_SYNC),
    (S.TEST_CONNECTION, E.TEST_FAILED, SOURCE, S.GATHER_CREDENTIALS),
    (S.DISCOVER_SCHEMA, E.DISCOVERED, STREAMS, S.SELECT_STREAMS),
    (S.DISCOVER_SCHEMA, E.DISCOVERED, NO_STREAMS, S.GATHER_CREDENTIALS),
    (S.DISCOVER_SCHEMA, E.DISCOVERY_FAILED, SOURCE, S.GATHER_CREDENTIALS),
    (S.SELECT_STREAMS, E.STREAMS_CHOSEN, SOURCE, S.CONFIGURE_SYNC),
    (S.CONFIGURE_SYNC, E.SYNC_CONFIGURED, SOURCE, S.REVIEW),
    (S.REVIEW, E.CONFIRMED, SOURCE, S.EXECUTE),
    (S.EXECUTE, E.EXECUTED, SOURCE, S.DONE),
    (S.EXECUTE, E.EXECUTE_FAILED, SOURCE, S.REVIEW),
    (S.GATHER_CREDENTIALS, E.BACK, SOURCE, S.SELECT_SOURCE_TYPE),
    (S.TEST_CONNECTION, E.BACK, SOURCE, S.GATHER_CREDENTIALS),
    (S.DISCOVER_SCHEMA, E.BACK, SOURCE, S.GATHER_CREDENTIALS),
    (S.SELECT_STREAMS, E.BACK, SOURCE, S.GATHER_CREDENTIALS),
    (S.SELECT_STREAMS, E.BACK, SCOPED, S.DISCOVER_SCHEMA),
    (S.CONFIGURE_SYNC, E.BACK, SOURCE, S.SELECT_STREAMS),
    (S.CONFIGURE_SYNC, E.BACK, SINK, S.GATHER_CREDENTIALS),
    (S.REVIEW, E.BACK, SOURCE, S.CONFIGURE_SYNC),
    (S.REVIEW, E.EDIT, edit(EditTarget.SOURCE_TYPE), S.SELECT_SOURCE_TYPE),
    *(
        (state, E.EDIT, edit(EditTarget.CREDENTIALS), S.GATHER_CREDENTIALS)
        for state in (S.SELECT_STREAMS, S.CONFIGURE_SYNC, S.REVIEW)
    ),
    *(
        (state, E.EDIT, edit(EditTarget.SCOPE), S.DISCOVER_SCHEMA)
        for state in (S.SELECT_STREAMS, S.CONFIGURE_SYNC, S.REVIEW)
    ),
    (S.REVIEW, E.EDIT, edit(EditTarget.STREAMS), S.SELECT_STREAMS),
    (S.REVIEW, E.EDIT, edit(EditTarget.SCHEDULE), S.CONFIGURE_SYNC),
    *((state, E.CANCEL, SOURCE, S.SELECT_SOURCE_TYPE) for state in State if state is not S.DONE),
    (S.DONE, E.RESTART, SOURCE, S.SELECT_SOURCE_TYPE),
]


def _case_id(state: State, event: Event, facts: Facts, dest: State) -> str:
    flags = [
        name
        for name, on in (
            ("sink", facts.is_sink),
            ("complete", facts.fields_complete),
            ("failed", facts.last_test_failed),
            ("streams", facts.has_streams),
            ("scoped", facts.scoped),
        )
        if on
    ]
    if facts.edit_target is not None:
        flags.append(f"edit={facts.edit_target.value}")
    when = f"({'+'.join(flags)})" if flags else ""
    return f"{state.value}-{event.name}{when}->{dest.value}"


@pytest.mark.parametrize(
    ("state", "event", "facts", "dest"),
    [pytest.param(*case, id=_case_id(*case)) for case in CASES],
)
def test_each_transition_leads_where_the_table_says(
    state: State, event: Event, facts: Facts, dest: State
) -> None:
    assert fire(state, event, facts) is dest


def test_the_cases_above_cover_every_row_of_the_table() -> None:
    declared = {(src, row.event, row.dest) for row in TRANSITIONS for src in row.sources}
    written = {(state, event, dest) for state, event, _, dest in CASES}
    assert written == declared


def test_every_event_is_used_and_every_state_is_reachable() -> None:
    assert {row.event for row in TRANSITIONS} == set(Event)
    reached, frontier = {INITIAL}, [INITIAL]
    while frontier:
        state = frontier.pop()
        for row in TRANSITIONS:
            if state in row.sources and row.dest not in reached:
                reached.add(row.dest)
                frontier.append(row.dest)
    assert reached == set(State)


def test_rows_sharing_a_state_and_event_never_both_accept_the_same_facts() -> None:
    for facts in every_facts():
        for state in State:
            for event in Event:
                matching = [
                    row
                    for row in TRANSITIONS
                    if state in row.sources
                    and row.event is event
                    and all(guard(facts) for guard in row.guards)
                ]
                assert len(matching) <= 1, (state, event, facts)


def _walk(start: State, steps: Sequence[tuple[Event, Facts]]) -> list[State]:
    visited = [start]
    for event, facts in steps:
        visited.append(fire(visited[-1], event, facts))
    return visited


def test_a_source_walks_the_seed_path_to_done() -> None:
    visited = _walk(
        State.WELCOME,
        [
            (E.START, SOURCE),
            (E.TYPE_CHOSEN, SOURCE),
            (E.FIELDS_COMPLETE, COMPLETE),
            (E.TEST_PASSED, SOURCE),
            (E.DISCOVERED, STREAMS),
            (E.STREAMS_CHOSEN, SOURCE),
            (E.SYNC_CONFIGURED, SOURCE),
            (E.CONFIRMED, SOURCE),
            (E.EXECUTED, SOURCE),
        ],
    )
    assert visited == list(State)


def test_a_sink_skips_discovery_and_stream_selection() -> None:
    sink_complete = Facts(is_sink=True, fields_complete=True)
    visited = _walk(
        State.WELCOME,
        [
            (E.START, SINK),
            (E.TYPE_CHOSEN, SINK),
            (E.FIELDS_COMPLETE, sink_complete),
            (E.TEST_PASSED, SINK),
            (E.SYNC_CONFIGURED, SINK),
            (E.CONFIRMED, SINK),
            (E.EXECUTED, SINK),
        ],
    )
    assert visited == [s for s in State if s not in {S.DISCOVER_SCHEMA, S.SELECT_STREAMS}]


def test_a_failed_test_returns_to_gather_credentials_and_retry_tests_again() -> None:
    visited = _walk(
        State.GATHER_CREDENTIALS,
        [(E.FIELDS_COMPLETE, COMPLETE), (E.TEST_FAILED, COMPLETE), (E.RETRY, RETRYABLE)],
    )
    assert visited == [
        S.GATHER_CREDENTIALS,
        S.TEST_CONNECTION,
        S.GATHER_CREDENTIALS,
        S.TEST_CONNECTION,
    ]


@pytest.mark.parametrize(
    "facts",
    [
        pytest.param(COMPLETE, id="no-test-failed-yet"),
        pytest.param(Facts(last_test_failed=True), id="fields-incomplete"),
    ],
)
def test_retry_needs_a_failed_test_and_complete_fields(facts: Facts) -> None:
    with pytest.raises(GuardRefused):
        fire(State.GATHER_CREDENTIALS, Event.RETRY, facts)


def test_fields_complete_is_refused_while_fields_are_missing() -> None:
    with pytest.raises(GuardRefused):
        fire(State.GATHER_CREDENTIALS, Event.FIELDS_COMPLETE, Facts(fields_complete=False))


def test_discovery_with_zero_streams_returns_to_gather_credentials() -> None:
    assert fire(S.DISCOVER_SCHEMA, E.DISCOVERED, NO_STREAMS) is S.GATHER_CREDENTIALS


@pytest.mark.parametrize(
    "state", [pytest.param(s, id=s.value) for s in State if s is not State.DONE]
)
@pytest.mark.parametrize(
    "facts", [pytest.param(SOURCE, id="source"), pytest.param(SINK, id="sink")]
)
def test_cancel_from_every_state_but_done_returns_to_select_source_type(
    state: State, facts: Facts
) -> None:
    assert fire(state, Event.CANCEL, facts) is State.SELECT_SOURCE_TYPE


def test_cancel_after_done_is_invalid_restart_is_the_way() -> None:
    with pytest.raises(InvalidTransition):
        fire(State.DONE, Event.CANCEL, SOURCE)
    assert fire(State.DONE, Event.RESTART, SOURCE) is State.SELECT_SOURCE_TYPE


@pytest.mark.parametrize(
    ("state", "facts", "dest"),
    [
        pytest.param(S.GATHER_CREDENTIALS, SOURCE, S.SELECT_SOURCE_TYPE, id="gather-credentials"),
        pytest.param(S.TEST_CONNECTION, SOURCE, S.GATHER_CREDENTIALS, id="test-connection"),
        pytest.param(S.DISCOVER_SCHEMA, SOURCE, S.GATHER_CREDENTIALS, id="discover-schema"),
        pytest.param(S.SELECT_STREAMS, SOURCE, S.GATHER_CREDENTIALS, id="select-streams"),
        pytest.param(S.CONFIGURE_SYNC, SOURCE, S.SELECT_STREAMS, id="configure-sync-source"),
        pytest.param(S.CONFIGURE_SYNC, SINK, S.GATHER_CREDENTIALS, id="configure-sync-sink"),
        pytest.param(S.REVIEW, SOURCE, S.CONFIGURE_SYNC, id="review-source"),
        pytest.param(S.REVIEW, SINK, S.CONFIGURE_SYNC, id="review-sink"),
    ],
)
def test_back_goes_to_the_previous_step_that_asks_something(
    state: State, facts: Facts, dest: State
) -> None:
    assert fire(state, Event.BACK, facts) is dest


@pytest.mark.parametrize(
    "state",
    [pytest.param(s, id=s.value) for s in (S.WELCOME, S.SELECT_SOURCE_TYPE, S.EXECUTE, S.DONE)],
)
def test_back_has_nowhere_to_go_from_the_start_a_running_create_or_done(state: State) -> None:
    with pytest.raises(InvalidTransition):
        fire(state, Event.BACK, SOURCE)


@pytest.mark.parametrize(
    ("target", "dest"),
    [
        pytest.param(EditTarget.SOURCE_TYPE, S.SELECT_SOURCE_TYPE, id="source-type"),
        pytest.param(EditTarget.CREDENTIALS, S.GATHER_CREDENTIALS, id="credentials"),
        pytest.param(EditTarget.STREAMS, S.SELECT_STREAMS, id="streams"),
        pytest.param(EditTarget.SCHEDULE, S.CONFIGURE_SYNC, id="schedule"),
    ],
)
def test_edit_from_review_goes_to_the_state_owning_the_answer(
    target: EditTarget, dest: State
) -> None:
    assert fire(State.REVIEW, Event.EDIT, edit(target)) is dest


@pytest.mark.parametrize(
    ("target", "dest"),
    [
        pytest.param(EditTarget.SOURCE_TYPE, S.SELECT_SOURCE_TYPE, id="source-type"),
        pytest.param(EditTarget.CREDENTIALS, S.GATHER_CREDENTIALS, id="credentials"),
        pytest.param(EditTarget.SCHEDULE, S.CONFIGURE_SYNC, id="schedule"),
    ],
)
def test_a_sink_edits_everything_but_streams(target: EditTarget, dest: State) -> None:
    assert fire(State.REVIEW, Event.EDIT, edit(target, is_sink=True)) is dest


@pytest.mark.parametrize(
    "facts",
    [
        pytest.param(Facts(), id="no-target"),
        pytest.param(edit(EditTarget.STREAMS, is_sink=True), id="streams-of-a-sink"),
    ],
)
def test_edit_without_an_owning_state_is_refused(facts: Facts) -> None:
    with pytest.raises(GuardRefused) as caught:
        fire(State.REVIEW, Event.EDIT, facts)
    assert caught.value.facts == facts


@pytest.mark.parametrize(
    "state", [pytest.param(s, id=s.value) for s in State if s is not State.REVIEW]
)
def test_edit_only_applies_in_review(state: State) -> None:
    with pytest.raises(InvalidTransition):
        fire(state, Event.EDIT, edit(EditTarget.SCHEDULE))
