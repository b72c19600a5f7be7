"""Yes and no in their common forms; anything unclear is neither; a yes that carries more."""

from __future__ import annotations

import pytest

from agent.parsing import PUSH_WORDS, parse_yes_no, restates, split_yes_no

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


# (message, answer, rest): what follows the yes or no is kept, in its own casing.
SPLIT = [
    ("yes, but hourly", True, "hourly"),
    ("yes but call it Bookings", True, "call it Bookings"),
    ("yep, but make it daily at 6am UTC", True, "make it daily at 6am UTC"),
    ("yes and retry 3 times", True, "retry 3 times"),
    ("um yes   but CALL it  X", True, "CALL it X"),
    ("no, call it Warehouse copy", False, "call it Warehouse copy"),
    ("wait, add line_items", False, "add line_items"),
    ("Sure, create it!", True, ""),
    ("yep do it", True, ""),
    ("looks good, create the sink", True, ""),
    ("yes please, create it", True, ""),
    ("create the source", True, ""),
    ("Yes create", True, ""),
    ("go for it", True, ""),
    ("nah", False, ""),
    ("sure thing", True, ""),
    ("yes, that's right", True, ""),
    ("nope, not yet", False, ""),
    ("ok but only orders", True, "only orders"),
    ("yes, create it and start syncing", True, ""),
    ("create source", True, ""),
    ("yep, create it with these settings", True, ""),
    ("not now", False, ""),
    ("maybe", None, "maybe"),
    ("hourly", None, "hourly"),
]


@pytest.mark.parametrize(("text", "answer", "rest"), SPLIT, ids=repr)
def test_split_keeps_what_follows(text: str, answer: bool | None, rest: str) -> None:
    said = split_yes_no(text)
    assert (said.answer, said.rest) == (answer, rest)


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("push results automatically when a job completes", True),
        ("auto-push please", True),
        ("Automatic, please", True),
        ("dont push automatically, i will push by hand", False),
        ("push them manually", False),
        ("without auto push", False),
        ("on job completion", True),
        ("when jobs finish please", True),
        ("manually", False),
        ("hourly", None),
    ],
)
def test_restating_the_option(text: str, answer: bool | None) -> None:
    assert restates(text, PUSH_WORDS) is answer
