"""Is a request really from Slack? The signature over the raw body, and a fresh timestamp.

Slack signs every request it sends with the app's signing secret: ``X-Slack-Signature`` is
``v0=`` and the HMAC-SHA256 of ``v0:{X-Slack-Request-Timestamp}:{raw body}``. A timestamp more
than five minutes off is refused too, so a captured request cannot be replayed later.
"""

from __future__ import annotations

from collections.abc import Mapping

from slack_sdk.signature import Clock, SignatureVerifier

from api.errors import ApiError

__all__ = ["SlackVerifier"]


class SlackVerifier:
    """Checks Slack's request signature (``slack_sdk``'s verifier does the HMAC and the clock).

    Args:
        signing_secret: The app's signing secret (from the app's *Basic Information* page).
        clock: The time source; tests pass a fixed one.
    """

    def __init__(self, signing_secret: str, *, clock: Clock | None = None) -> None:
        self._verifier = SignatureVerifier(signing_secret, clock=clock or Clock())

    def check(self, body: bytes, headers: Mapping[str, str]) -> None:
        """Return if ``body`` was signed by Slack within the last five minutes.

        Raises:
            ApiError: 401 ``invalid_signature``; the message never says which part failed.
        """
        timestamp = headers.get("X-Slack-Request-Timestamp", "")
        signature = headers.get("X-Slack-Signature", "")
        try:
            valid = self._verifier.is_valid(body=body, timestamp=timestamp, signature=signature)
        except (ValueError, UnicodeDecodeError):
            # A timestamp that is not a number, or a body that is not UTF-8: not Slack.
            valid = False
        if not valid:
            raise ApiError(401, "invalid_signature", "The request is not signed by Slack.")
