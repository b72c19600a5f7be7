"""Yes and no in their common forms; anything unclear is neither."""

from __future__ import annotations

import pytest

from agent.parsing import parse_yes_no

YES = [
    "yes",
    "Yes.",
    "y",
    "Y",
    "yep",
    "yup!",
    "yeah",
    "yeah sure",
    "sure",
    "ok",
    "OK",
    "okay",
    "go ahead",
    "do it",
    "create it",
    "confirm",
    "\U0001f44d",
    "\U0001f44d\U0001f3fd",
    "correct",
    "sounds good",
    "yes please",
    "yes, retry twice if it fails",
    "absolutely",
    "lgtm",
    "no problem",
    "  YES  ",
]
NO = [
    "no",
    "No.",
    "n",
    "nope",
    "nah",
    "not yet",
    "don't",
    "don\u2019t",
    "do not",
    "cancel that",
    "stop",
    "no thanks",
    "no, use daily instead",
    "\U0001f44e",
]
UNCLEAR = [
    "maybe",
    "not sure",
    "I don't know",
    "don't know",
    "yes but change the port",
    "hmm",
    "nothing",
    "yesterday",
    "nobody",
    "",
    "what?",
]


@pytest.mark.parametrize("text", YES, ids=lambda t: f"yes:{t!r}")
def test_yes(text: str) -> None:
    assert parse_yes_no(text) is True


@pytest.mark.parametrize("text", NO, ids=lambda t: f"no:{t!r}")
def test_no(text: str) -> None:
    assert parse_yes_no(text) is False


@pytest.mark.parametrize("text", UNCLEAR, ids=lambda t: f"unclear:{t!r}")
def test_unclear(text: str) -> None:
    assert parse_yes_no(text) is None
