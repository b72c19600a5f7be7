"""Masks show ``ia_****`` and, for secrets of 16 characters or more, the last four."""

from __future__ import annotations

import pytest

from connections.vault import MASK_PREFIX, is_mask, mask_secret


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("abcdefghijklmnopqrstuvwxyz", "ia_****wxyz", id="long"),
        pytest.param("0123456789abcdef", "ia_****cdef", id="exactly-16"),
        pytest.param("0123456789abcde", "ia_****", id="15-shows-nothing"),
        pytest.param("hunter2", "ia_****", id="short"),
        pytest.param("", "ia_****", id="empty"),
        pytest.param("пароль-очень-длинный-ключ", "ia_****ключ", id="unicode-cyrillic"),
        pytest.param("🔑" * 20, "ia_****🔑🔑🔑🔑", id="unicode-emoji"),
        # 15 characters but 27 bytes: the rule counts characters.
        pytest.param("ключключключabc", "ia_****", id="unicode-short-in-characters"),
    ],
)
def test_mask_secret(value: str, expected: str) -> None:
    assert mask_secret(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(MASK_PREFIX, id="prefix-only"),
        pytest.param("ia_****wxyz", id="prefix-and-four"),
        pytest.param(mask_secret("🔑" * 20), id="unicode"),
        pytest.param("ia_****\n\t  ", id="any-four-characters"),
    ],
)
def test_is_mask_accepts_masks(value: str) -> None:
    assert is_mask(value)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("", id="empty"),
        pytest.param("ia_***", id="three-stars"),
        pytest.param("ia_****abc", id="three-characters"),
        pytest.param("ia_****abcde", id="five-characters"),
        pytest.param("****wxyz", id="no-prefix"),
        pytest.param("xia_****wxyz", id="leading-text"),
        pytest.param("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", id="real-secret"),
    ],
)
def test_is_mask_rejects_other_values(value: str) -> None:
    assert not is_mask(value)
