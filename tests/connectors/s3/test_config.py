"""The S3 settings' own checks, before any request is made."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from connectors.s3.config import S3Config


@pytest.mark.parametrize("typed", ["eu_central_1", "EU Central 1", " eu-central-1 "])
def test_a_region_typed_with_underscores_or_spaces_is_the_hyphenated_one(typed: str) -> None:
    assert S3Config(bucket="acme", region=typed).region == "eu-central-1"


@pytest.mark.parametrize("region", ["auto", "garage", "us-east-1"])
def test_an_s3_compatible_store_takes_any_name_botocore_accepts(region: str) -> None:
    config = S3Config(bucket="acme", endpoint_url="https://127.0.0.1:9000", region=region)
    assert config.region == region


@pytest.mark.parametrize("region", ["eu-", "-auto", "a" * 64, "eu.central"])
def test_a_region_botocore_would_refuse_is_refused_here_with_a_field(region: str) -> None:
    with pytest.raises(ValidationError, match="region"):
        S3Config(bucket="acme", endpoint_url="https://127.0.0.1:9000", region=region)
