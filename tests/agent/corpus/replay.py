"""Load the corpus and play one conversation against a running app.

A conversation is a TOML table::

    [[conversation]]
    name = "restating the option is a yes"
    minimal = 5            # turns a person who knew the exact syntax would need
    turns = [
      { say = "send results to a webhook", state = "gather_credentials" },
      { say = "{hook.sink}", asks = ["signing_secret"] },
      ...
    ]
    expect = { role = "RESULTS_SINK", autoPushOnJobComplete = true }

A turn may check ``state``, ``asks`` (the reply's required fields, in order), ``input``
(its input type), ``says`` / ``never`` (text the reply's message must or must not hold) and
``options``; ``settle = false`` reads the reply without waiting for background work. ``expect``
is checked against the created source or sink over REST (dotted paths reach into ``config``).
The conversation completes when every turn holds, the last reply is ``done`` with the
expected object, and no secret of the world came back in any reply or the transcript.
"""

from __future__ import annotations

import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from tests.agent.conftest import BASE, Chat, person
from tests.agent.corpus.world import World

__all__ = ["Conversation", "Outcome", "load", "replay"]

HERE = Path(__file__).parent / "conversations"


@dataclass(frozen=True)
class Conversation:
    """One row of the corpus."""

    category: str
    name: str
    minimal: int
    turns: list[dict[str, Any]]
    expect: dict[str, Any]

    @property
    def id(self) -> str:
        """A test id: ``category/name``."""
        return f"{self.category}/{self.name}"


@dataclass
class Outcome:
    """How a conversation went."""

    completed: bool = False
    turns: int = 0
    failure: str = ""
    echoed: list[str] = field(default_factory=list)


def load(directory: Path = HERE) -> list[Conversation]:
    """Every conversation, file by file (the file's stem is the category)."""
    rows: list[Conversation] = []
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as handle:
            table = tomllib.load(handle)
        rows.extend(
            Conversation(
                category=path.stem,
                name=row["name"],
                minimal=int(row["minimal"]),
                turns=list(row["turns"]),
                expect=dict(row.get("expect", {})),
            )
            for row in table.get("conversation", [])
        )
    return rows


async def replay(client: TestClient[Any, Any], world: World, conversation: Conversation) -> Outcome:
    """Play ``conversation`` as a new person in a tenant of its own."""
    outcome = Outcome()
    tenant = "corpus-" + uuid.uuid4().hex[:10]
    chat = Chat(client, person(tenant=tenant))
    reply = await chat.start()
    _check_secrets(world, reply, outcome, "welcome")
    for number, turn in enumerate(conversation.turns, start=1):
        try:
            reply = await _say(chat, reply, world.fill(turn["say"]), turn)
        except AssertionError as exc:  # a refused request, or work that never finished
            outcome.failure = f"turn {number} ({turn['say']!r}): {exc}"
            return outcome
        outcome.turns = number
        _check_secrets(world, reply, outcome, f"turn {number}")
        problem = _mismatch(world, turn, reply)
        if problem:
            outcome.failure = f"turn {number} ({turn['say']!r}): {problem}"
            return outcome
    view = await chat.view()
    _check_secrets(world, view, outcome, "the session view")
    if reply["state"] != "done":
        outcome.failure = f"ended in {reply['state']}: {reply['message'][:300]!r}"
        return outcome
    created = await _created(client, chat)
    for path, value in conversation.expect.items():
        got, wanted = _at(created, path), _filled(world, value)
        if isinstance(got, list) and isinstance(wanted, list):
            # A selection is a set: the order the person named streams in does not matter.
            got, wanted = sorted(map(str, got)), sorted(map(str, wanted))
        if got != wanted:
            outcome.failure = f"created {path} = {got!r}, expected {wanted!r}"
            return outcome
    outcome.completed = not outcome.echoed
    if outcome.echoed:
        outcome.failure = "a secret came back: " + ", ".join(outcome.echoed)
    return outcome


async def _say(
    chat: Chat, last: dict[str, Any], message: str, turn: dict[str, Any]
) -> dict[str, Any]:
    if not message and last["data"].get("input_type") == "secret":
        # An empty masked field is sent as the widget sends it: ``{"fields": {name: ""}}``.
        return await _masked(chat, last["data"]["required_fields"][0], message)
    return await chat.say(message, settle=turn.get("settle", True))


async def _masked(chat: Chat, name: str, value: str) -> dict[str, Any]:
    response = await chat.client.post(
        f"{BASE}/{chat.session_id}/chat", json={"fields": {name: value}}, headers=chat.headers
    )
    assert response.status == 200, await response.text()
    reply: dict[str, Any] = await response.json()
    chat.replies.append(reply)
    return await chat.settled() if reply["data"].get("task") else reply


def _mismatch(world: World, turn: dict[str, Any], reply: dict[str, Any]) -> str:
    data = reply["data"]
    said = f"got {reply['state']} {data.get('required_fields')}: {reply['message'][:400]!r}"
    checks = (
        ("state", reply["state"]),
        ("asks", data.get("required_fields")),
        ("input", data.get("input_type")),
    )
    for key, got in checks:
        if key in turn and got != turn[key]:
            return f"expected {key} {turn[key]!r}; {said}"
    for text in _listed(turn.get("says")):
        if world.fill(text) not in reply["message"]:
            return f"expected the reply to say {text!r}; {said}"
    for text in _listed(turn.get("never")):
        if world.fill(text) in reply["message"]:
            return f"the reply must not say {text!r}; {said}"
    if "options" in turn and reply["options"][: len(turn["options"])] != turn["options"]:
        return f"expected options {turn['options']}, got {reply['options']}"
    return ""


def _filled(world: World, value: Any) -> Any:
    if isinstance(value, str):
        return world.fill(value)
    if isinstance(value, list):
        return [_filled(world, v) for v in value]
    return value


def _listed(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _check_secrets(world: World, reply: dict[str, Any], outcome: Outcome, where: str) -> None:
    shown = str(reply)
    for secret in world.secrets:
        if secret in shown:
            outcome.echoed.append(where)


async def _created(client: TestClient[Any, Any], chat: Chat) -> dict[str, Any]:
    agent = await (await client.get("/api/v1/agents/default", headers=chat.headers)).json()
    listing = await client.get(f"/api/v1/agents/{agent['id']}/data-sources", headers=chat.headers)
    items: list[dict[str, Any]] = (await listing.json())["items"]
    return items[-1] if items else {}


def _at(item: dict[str, Any], path: str) -> Any:
    value: Any = item
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value
