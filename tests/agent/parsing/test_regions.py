"""An AWS region is understood by its code, its city or country, its area, or the console's name."""

from __future__ import annotations

import re

import pytest

from agent.parsing.regions import REGIONS, region_code, split_region

CODES = [
    pytest.param("frankfurt", "eu-central-1", id="frankfurt"),
    pytest.param("Frankfurt", "eu-central-1", id="capitalized"),
    pytest.param("germany", "eu-central-1", id="country"),
    pytest.param("ireland", "eu-west-1", id="ireland"),
    pytest.param("dublin", "eu-west-1", id="dublin"),
    pytest.param("virginia", "us-east-1", id="virginia"),
    pytest.param("N. Virginia", "us-east-1", id="n-virginia"),
    pytest.param("ohio", "us-east-2", id="ohio"),
    pytest.param("oregon", "us-west-2", id="oregon"),
    pytest.param("northern california", "us-west-1", id="california"),
    pytest.param("london", "eu-west-2", id="london"),
    pytest.param("UK", "eu-west-2", id="uk"),
    pytest.param("paris", "eu-west-3", id="paris"),
    pytest.param("stockholm", "eu-north-1", id="stockholm"),
    pytest.param("milan", "eu-south-1", id="milan"),
    pytest.param("zurich", "eu-central-2", id="zurich"),
    pytest.param("tokyo", "ap-northeast-1", id="tokyo"),
    pytest.param("seoul", "ap-northeast-2", id="seoul"),
    pytest.param("singapore", "ap-southeast-1", id="singapore"),
    pytest.param("sydney", "ap-southeast-2", id="sydney"),
    pytest.param("mumbai", "ap-south-1", id="mumbai"),
    pytest.param("sao paulo", "sa-east-1", id="sao-paulo"),
    pytest.param("S\u00e3o Paulo", "sa-east-1", id="sao-paulo-accent"),
    pytest.param("canada", "ca-central-1", id="canada"),
    pytest.param("montreal", "ca-central-1", id="montreal"),
    pytest.param("canada/montreal", "ca-central-1", id="canada-slash-montreal"),
    pytest.param("south africa", "af-south-1", id="two-word-country-with-a-direction"),
    pytest.param("frankfrut", "eu-central-1", id="typo"),
    pytest.param("region: Frankfurt", "eu-central-1", id="with-its-key"),
    pytest.param("the aws region in frankfurt pls", "eu-central-1", id="in-a-sentence"),
    pytest.param("eu-central-1", "eu-central-1", id="code"),
    pytest.param("EU_CENTRAL_1", "eu-central-1", id="code-upper-underscores"),
    pytest.param("eu central", "eu-central-1", id="area-means-its-first"),
    pytest.param("eu-central", "eu-central-1", id="area-hyphenated"),
    pytest.param("eu west 2", "eu-west-2", id="area-and-number"),
    pytest.param("us east", "us-east-1", id="us-east"),
    pytest.param("ap north east 2", "ap-northeast-2", id="north-east-spaced"),
    pytest.param("Europe (Frankfurt)", "eu-central-1", id="console-name"),
    pytest.param("US East (Ohio)", "us-east-2", id="a-place-wins-over-an-area"),
    pytest.param("Asia Pacific (Sydney)", "ap-southeast-2", id="asia-pacific"),
    pytest.param("Europe (Frankfurt) eu-central-1", "eu-central-1", id="console-with-code"),
]

NONE = [
    pytest.param("", id="empty"),
    pytest.param("auto", id="r2-auto"),
    pytest.param("garage", id="another-store"),
    pytest.param("eu", id="a-continent-only"),
    pytest.param("east", id="a-direction-only"),
    pytest.param("europe", id="europe-only"),
]


@pytest.mark.parametrize(("text", "code"), CODES)
def test_a_region_is_named(text: str, code: str) -> None:
    assert region_code(text) == code


@pytest.mark.parametrize("text", NONE)
def test_no_region_is_named(text: str) -> None:
    assert region_code(text) is None


def test_every_code_in_the_table_is_shaped_like_an_aws_region() -> None:
    for code in REGIONS:
        assert re.fullmatch(r"[a-z]{2}-[a-z]+-\d", code), code


def test_every_place_names_one_region_only() -> None:
    places = [name for names in REGIONS.values() for name in names]

    assert len(places) == len(set(places))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("acme in frankfurt", ("acme", "eu-central-1"), id="in-a-city"),
        pytest.param("acme, it is in ireland", ("acme", "eu-west-1"), id="it-is-in"),
        pytest.param("acme in region us-west-2", ("acme", "us-west-2"), id="in-region-code"),
        pytest.param("acme in the end", ("acme in the end", None), id="no-place"),
        pytest.param("acme", ("acme", None), id="a-value-alone"),
        pytest.param("daily uploads in paris", ("daily uploads in paris", None), id="two-words"),
    ],
)
def test_a_region_after_a_value_is_split_off(value: str, expected: tuple[str, str | None]) -> None:
    assert split_region(value) == expected
