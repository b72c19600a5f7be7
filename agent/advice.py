"""After a failed test: what to say, and which answers to ask for again.

Only the fields the failure class points at are asked again; every other answer is kept
(DESIGN.md section 13). Which fields a failure class points at, and why discovery may find
nothing, are the connector type's own facts (``reask``, ``zero_stream_hints`` of
``GET /connector-types``), so a remote connection service and the chat agree.
"""

from __future__ import annotations

from collections.abc import Sequence

from connections.schemas import ConnectorTypeOut, FieldOut

__all__ = ["PARTNERS", "advice_for", "fields_to_reask", "zero_stream_causes"]

_ADVICE = {
    "auth_failed": "The credentials were rejected. Give the {fields} again.",
    "permission_denied": (
        'The credentials work but lack a permission. Fix the policy and say "retry", '
        "or give other credentials ({fields})."
    ),
    "not_found": "Check the {fields} and tell me the right one.",
    "unreachable": "Check the {fields}, and that the service is running and reachable.",
    "timeout": 'It did not answer in time. Check the {fields}, or say "retry".',
    "tls": "Check the {fields}: the certificate must be valid for that name.",
    "blocked_by_policy": "Use another {fields}, or ask an operator to allow that network.",
    "invalid_config": "Fix the {fields}.",
    "server_error": 'The other side had an internal error. Say "retry" in a moment.',
    "endpoint_gone": "The endpoint says it is gone. Give the new {fields}.",
    "malformed_data": "The data could not be read in the chosen format. Check the {fields}.",
}

# Parts of one credential issued together: a new key id needs its own secret. A username is
# not paired: a corrected user name (a typo) is tested with the password already given.
_PAIRS = {"access_key_id": "secret_access_key"}
PARTNERS = {**_PAIRS, **{secret: key for key, secret in _PAIRS.items()}}
"""Field name -> the other half of the credential it belongs to."""


def fields_to_reask(
    failure: str | None,
    field: str | None,
    fields: Sequence[FieldOut],
    connector: ConnectorTypeOut | None,
) -> list[str]:
    """The field names to ask for again after a failed test.

    Args:
        failure: The failure class of the test.
        field: The field the connector blamed, if it named one.
        fields: The chosen connector's fields for the role being set up.
        connector: The chosen connector type, whose ``reask`` lists the fields each failure
            class points at; with none, only a named field is asked again.
    """
    names = [f.name for f in fields]
    if field:
        # Our REST layer may name it config.x / secret.x in camelCase; connectors use snake.
        bare = field.split(".", 1)[-1]
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in bare)
        if snake in names:
            related = [snake]
            # A rejected key id usually comes with its secret, and the other way round.
            partner = PARTNERS.get(snake)
            if failure == "permission_denied" and partner in names:
                related.append(partner)
            return related
    pointed = connector.reask.get(failure or "", []) if connector is not None else []
    suspects = [n for n in pointed if n in names]
    if failure == "auth_failed":
        secrets = [f.name for f in fields if f.secret and f.name in suspects]
        return secrets or suspects[:1]
    return suspects[:2] if suspects else []


def advice_for(failure: str | None, fields: Sequence[FieldOut], reask: Sequence[str]) -> str:
    """One sentence on what to do next."""
    labels = {f.name: f.label.lower() for f in fields}
    named = " and ".join(labels.get(n, n) for n in reask) or "settings"
    template = _ADVICE.get(failure or "", 'Check the {fields} and say "retry".')
    return template.format(fields=named)


def zero_stream_causes(connector: ConnectorTypeOut | None) -> list[str]:
    """Why discovery may find nothing, as the connector type tells it."""
    return list(connector.zero_stream_hints) if connector is not None else []
