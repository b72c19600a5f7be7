"""The S3 connector (boto3; any S3-compatible endpoint)."""

from connectors.s3.config import S3Config, S3Secrets
from connectors.s3.connector import S3Connector
from connectors.s3.cursor import S3Cursor

__all__ = ["S3Config", "S3Connector", "S3Cursor", "S3Secrets"]
