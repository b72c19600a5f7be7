"""The shared machine: invalid events, ``allowed()``, and many sessions on one machine."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from fsm import (
    TRANSITIONS,
    EditTarget,
    Event,
    Facts,
    FsmError,
    GuardRefused,
    InvalidTransition,
    State,
    allowed,
    fire,
    shared_machine,
)
from tests.fsm.examples import COMPLETE, SINK, SOURCE, STREAMS, every_facts

_DECLARED = {(src, row.event) for row in TRANSITIONS for src in row.sources}
_INVALID = [(state, event) for state in State for event in Event if (state, event) not in _DECLARED]


@pytest.mark.parametrize(
    ("state", "event"),
    [pytest.param(s, e, id=f"{s.value}-{e.name}") for s, e in _INVALID],
)
def test_an_event_without_a_transition_raises_invalid_transition(
    state: State, event: Event
) -> None:
    with pytest.raises(InvalidTransition) as caught:
        fire(state, event, SOURCE)
    assert type(caught.value) is InvalidTransition
    assert (caught.value.state, caught.value.event) == (state, event)
    assert repr(state.value) in str(caught.value)
    assert repr(event.value) in str(caught.value)


def test_a_guard_refusal_is_an_invalid_transition_naming_state_event_and_facts() -> None:
    with pytest.raises(GuardRefused) as caught:
        fire(State.REVIEW, Event.EDIT, SOURCE)
    error = caught.value
    assert isinstance(error, InvalidTransition)
    assert isinstance(error, FsmError)
    assert (error.state, error.event, error.facts) == (State.REVIEW, Event.EDIT, SOURCE)
    assert "'review'" in str(error)
    assert "'edit'" in str(error)


@pytest.mark.parametrize("state", [pytest.param(s, id=s.value) for s in State])
def test_allowed_is_exactly_what_fire_accepts(state: State) -> None:
    for facts in every_facts():
        accepted = set()
        for event in Event:
            try:
                fire(state, event, facts)
            except InvalidTransition:
                continue
            accepted.add(event)
        assert allowed(state, facts) == accepted, facts


@pytest.mark.parametrize(
    ("state", "facts", "expected"),
    [
        pytest.param(State.WELCOME, SOURCE, {Event.START, Event.CANCEL}, id="welcome"),
        pytest.param(
            State.GATHER_CREDENTIALS,
            SOURCE,
            {Event.BACK, Event.CANCEL},
            id="gather-credentials-missing-fields",
        ),
        pytest.param(
            State.GATHER_CREDENTIALS,
            Facts(fields_complete=True, last_test_failed=True),
            {Event.FIELDS_COMPLETE, Event.RETRY, Event.BACK, Event.CANCEL},
            id="gather-credentials-after-a-failed-test",
        ),
        pytest.param(
            State.REVIEW, SOURCE, {Event.CONFIRMED, Event.BACK, Event.CANCEL}, id="review"
        ),
        pytest.param(
            State.REVIEW,
            Facts(edit_target=EditTarget.STREAMS, is_sink=True),
            {Event.CONFIRMED, Event.BACK, Event.CANCEL},
            id="review-sink-editing-streams",
        ),
        pytest.param(State.DONE, SOURCE, {Event.RESTART}, id="done"),
    ],
)
def test_allowed_offers_what_the_person_can_do(
    state: State, facts: Facts, expected: set[Event]
) -> None:
    assert allowed(state, facts) == expected


def test_fire_accepts_the_lower_case_string_a_session_stores() -> None:
    stored: str = State.TEST_CONNECTION.value
    assert fire(State(stored), Event.TEST_PASSED, SINK) == "configure_sync"


def test_facts_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        SOURCE.is_sink = True  # type: ignore[misc]


def test_interleaved_sessions_on_the_shared_machine_stay_independent() -> None:
    source_steps = [
        (Event.START, SOURCE),
        (Event.TYPE_CHOSEN, SOURCE),
        (Event.FIELDS_COMPLETE, COMPLETE),
        (Event.TEST_PASSED, SOURCE),
        (Event.DISCOVERED, STREAMS),
        (Event.STREAMS_CHOSEN, SOURCE),
    ]
    sink_steps = [
        (Event.START, SINK),
        (Event.TYPE_CHOSEN, SINK),
        (Event.FIELDS_COMPLETE, Facts(is_sink=True, fields_complete=True)),
        (Event.TEST_PASSED, SINK),
        (Event.SYNC_CONFIGURED, SINK),
        (Event.CONFIRMED, SINK),
    ]
    source, sink = State.WELCOME, State.WELCOME
    source_seen, sink_seen = [source], [sink]
    for (source_event, source_facts), (sink_event, sink_facts) in zip(
        source_steps, sink_steps, strict=True
    ):
        source = fire(source, source_event, source_facts)
        # A refused event in between changes nothing for either session.
        with pytest.raises(InvalidTransition):
            fire(State.DONE, Event.BACK, SOURCE)
        sink = fire(sink, sink_event, sink_facts)
        source_seen.append(source)
        sink_seen.append(sink)
    assert source_seen[-1] is State.CONFIGURE_SYNC
    assert sink_seen[-1] is State.EXECUTE
    assert State.DISCOVER_SCHEMA in source_seen
    assert State.DISCOVER_SCHEMA not in sink_seen


def test_no_models_accumulate_on_the_shared_machine() -> None:
    machine = shared_machine()
    before = len(machine.models)
    state = State.WELCOME
    for _ in range(10_000):
        state = fire(state, Event.CANCEL, SOURCE)
    assert state is State.SELECT_SOURCE_TYPE
    assert len(machine.models) == before == 1
    assert shared_machine() is machine


def test_threads_firing_at_once_each_get_their_own_answer() -> None:
    cases = [
        (State.TEST_CONNECTION, Event.TEST_PASSED, SOURCE, State.DISCOVER_SCHEMA),
        (State.TEST_CONNECTION, Event.TEST_PASSED, SINK, State.CONFIGURE_SYNC),
        (State.CONFIGURE_SYNC, Event.BACK, SOURCE, State.SELECT_STREAMS),
        (State.CONFIGURE_SYNC, Event.BACK, SINK, State.GATHER_CREDENTIALS),
    ]
    wrong: list[tuple[State, Event, Facts, State]] = []
    start = threading.Barrier(len(cases))

    def run(state: State, event: Event, facts: Facts, dest: State) -> None:
        start.wait()
        for _ in range(2_000):
            got = fire(state, event, facts)
            if got is not dest:
                wrong.append((state, event, facts, got))

    threads = [threading.Thread(target=run, args=case) for case in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
