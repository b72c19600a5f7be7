"""Configuration and secrets of the S3 connector."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator

from connectors.spec import DataFormat

__all__ = ["S3Config", "S3Secrets", "join_key"]

# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
_AWS_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
# S3-compatible stores take any region name ("auto" for R2, "garage", ...) that botocore
# accepts: letters, digits and inner hyphens (it raises an unclassified error otherwise).
_ANY_REGION = re.compile(r"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$")


class S3Config(BaseModel):
    """Where the files are. Nothing here is secret."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bucket: str = Field(
        title="Bucket",
        description="Which S3 bucket holds the files?",
        examples=["acme-inventory"],
    )
    prefix: str = Field(
        default="",
        title="Prefix",
        description="Which key prefix (folder) should I watch? Leave empty for the whole bucket.",
        examples=["daily-uploads/"],
    )
    endpoint_url: str | None = Field(
        default=None,
        title="Endpoint URL",
        description="For an S3-compatible store (MinIO, SeaweedFS, R2), its endpoint URL.",
        examples=["https://s3.example.com"],
        json_schema_extra={"kind": "url"},
    )
    region: str = Field(
        default="us-east-1",
        title="Region",
        description="Which AWS region is the bucket in?",
        examples=["us-east-1"],
    )
    format: DataFormat = Field(
        default=DataFormat.CSV,
        title="File format",
        description="What format are the files in: CSV, JSON, NDJSON or XLSX?",
        examples=["CSV"],
    )
    records_path: str | None = Field(
        default=None,
        title="Records path",
        description="For JSON files, the dotted path to the array of records, if nested.",
        examples=["data.items"],
    )

    @field_validator("bucket")
    @classmethod
    def _bucket_name(cls, value: str) -> str:
        value = value.strip()
        if not _BUCKET.match(value) or ".." in value:
            raise ValueError(
                "a bucket name has 3-63 characters: lower-case letters, digits, dots and hyphens"
            )
        return value

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        return value.strip().lstrip("/")

    @field_validator("region")
    @classmethod
    def _region(cls, value: str, info: ValidationInfo) -> str:
        # "eu_central_1" and "EU Central 1" are typed for eu-central-1.
        value = re.sub(r"[\s_]+", "-", value.strip().lower())
        # endpoint_url is declared first so that it is known here.
        pattern = _ANY_REGION if info.data.get("endpoint_url") else _AWS_REGION
        if not pattern.match(value):
            raise ValueError("a region looks like us-east-1 or eu-west-2")
        return value

    @field_validator("format", mode="before")
    @classmethod
    def _format_upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("records_path")
    @classmethod
    def _records_path_only_for_json(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value and info.data.get("format") not in (None, DataFormat.JSON):
            raise ValueError("a records path applies only to JSON files")
        return value or None

    @property
    def location(self) -> str:
        """``s3://bucket/prefix`` for messages."""
        return f"s3://{self.bucket}/{self.prefix}"


class S3Secrets(BaseModel):
    """The IAM key pair; kept together in the vault. Only the secret key is secret."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    access_key_id: str = Field(
        title="Access key ID",
        description="What is the access key ID (it starts with AKIA for AWS)?",
        examples=["AKIAIOSFODNN7EXAMPLE"],
        min_length=3,
        max_length=128,
    )
    secret_access_key: SecretStr = Field(
        title="Secret access key",
        description="And the secret access key?",
        examples=["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
        min_length=1,
    )


def join_key(prefix: str, name: str) -> str:
    """Join a prefix and a file name with exactly one slash between them."""
    if not prefix:
        return name
    return f"{prefix.rstrip('/')}/{name}"
