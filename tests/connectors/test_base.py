"""The connector contract's shared behaviour."""

from __future__ import annotations

from connectors.s3 import S3Connector
from core.redaction import REDACTED, redact_text, unregister_secret

SECRET = "parse-registers-this-secret-Xq81"


def test_parsing_registers_secret_values_for_redaction() -> None:
    connector = S3Connector()
    try:
        connector.parse(
            {"bucket": "acme-inventory"},
            {"access_key_id": "AKIAUNIQUEKEYID0042", "secret_access_key": SECRET},
        )

        assert redact_text(f"leaked {SECRET}") == f"leaked {REDACTED}"
        # The key id names the key pair; it is not secret and is not registered.
        assert redact_text("AKIAUNIQUEKEYID0042") == "AKIAUNIQUEKEYID0042"
    finally:
        unregister_secret(SECRET)
