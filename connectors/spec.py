"""Connector specifications: which fields a type needs, which are secret, which roles it serves.

A connector declares two frozen pydantic models, one for its non-secret config and one for
its secrets. The :class:`FieldSpec` list that the registry, the REST API and the chat use is
derived from those models, so a field is described exactly once.
"""

from __future__ import annotations

import types
import typing
from enum import Enum, StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, SecretStr, model_validator
from pydantic.fields import FieldInfo

from connectors.results import FailureClass
from core.roles import Role

__all__ = [
    "ConnectorSpec",
    "DataFormat",
    "DsnForm",
    "FieldKind",
    "FieldSpec",
    "Role",
    "fields_of",
]


class DataFormat(StrEnum):
    """File formats that sources read and sinks write."""

    CSV = "CSV"
    JSON = "JSON"
    NDJSON = "NDJSON"
    XLSX = "XLSX"

    @property
    def extension(self) -> str:
        """The file-name extension, without the dot."""
        return self.value.lower()


FieldKind = Literal["string", "integer", "boolean", "enum", "url", "mapping"]

DsnForm = Literal["host", "account", "bucket", "url"]
"""How a DSN of a connector's scheme is cut into fields.

``host``: ``scheme://user:password@host:port/database?sslmode=...``; ``account``: the same with
a Snowflake account in place of the host and ``/database/schema``; ``bucket``:
``scheme://bucket/prefix``; ``url``: the whole URL is the ``url`` field.
"""


class FieldSpec(BaseModel):
    """One field a person provides for a connector."""

    model_config = ConfigDict(frozen=True)

    name: str
    label: str
    kind: FieldKind = "string"
    secret: bool = False
    # Part of the credential (stored in the vault with the secret), e.g. an access key id.
    credential: bool = False
    required: bool = True
    # A secret the login may go without (a database user with no password): "none" answers.
    empty_ok: bool = False
    example: str | None = None
    prompt: str
    default: Any = None
    choices: tuple[str, ...] = ()
    roles: tuple[Role, ...] = (Role.INVENTORY_SOURCE, Role.RESULTS_SINK)


class ConnectorSpec(BaseModel):
    """Everything a face needs to know about a connector type.

    The chat reads these facts through the connection client (``GET /connector-types``), never
    from here, so a remote connection service and the chat cannot disagree.

    Attributes:
        aliases: Other names people use for the type ("pg", "aws s3").
        dsn_schemes: URL schemes that name the type in a pasted DSN (``postgresql``, ``s3``).
        dsn_form: How such a DSN fills the fields; see :data:`DsnForm`.
        zero_stream_hints: Likely causes, in words, when discovery finds no stream.
        reask: Failure class -> the fields it points at, most likely first: after a failed
            test the chat asks again for those only (DESIGN.md section 13).
    """

    model_config = ConfigDict(frozen=True)

    type: str
    label: str
    aliases: tuple[str, ...] = ()
    roles: tuple[Role, ...]
    fields: tuple[FieldSpec, ...]
    description: str = ""
    dsn_schemes: tuple[str, ...] = ()
    dsn_form: DsnForm | None = None
    zero_stream_hints: tuple[str, ...] = ()
    reask: dict[FailureClass, tuple[str, ...]] = {}

    @model_validator(mode="after")
    def _reask_names_fields(self) -> ConnectorSpec:
        names = {f.name for f in self.fields}
        unknown = sorted({n for wanted in self.reask.values() for n in wanted} - names)
        if unknown:
            raise ValueError(f"{self.type}: reask names unknown fields {unknown}")
        return self

    def fields_for(self, role: Role) -> tuple[FieldSpec, ...]:
        """The fields that apply when the connector serves ``role``."""
        return tuple(f for f in self.fields if role in f.roles)

    @property
    def secret_fields(self) -> frozenset[str]:
        """Names of every secret field."""
        return frozenset(f.name for f in self.fields if f.secret)


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """Strip ``X | None``; return the inner type and whether None was allowed."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _kind_and_choices(annotation: Any) -> tuple[FieldKind, tuple[str, ...]]:
    if typing.get_origin(annotation) is Literal:
        return "enum", tuple(str(a) for a in typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "enum", tuple(str(m.value) for m in annotation)
    if annotation is bool:
        return "boolean", ()
    if annotation is int:
        return "integer", ()
    if typing.get_origin(annotation) is dict or annotation is dict:
        return "mapping", ()
    return "string", ()


def _field_spec(name: str, info: FieldInfo, *, credential: bool) -> FieldSpec:
    inner, _ = _unwrap_optional(info.annotation)
    secret = inner is SecretStr
    kind, choices = ("string", ()) if secret else _kind_and_choices(inner)
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if extra.get("kind") == "url":
        kind = "url"
    roles_raw = extra.get("roles")
    roles = (
        tuple(Role(str(r)) for r in roles_raw)  # type: ignore[union-attr]
        if roles_raw
        else (Role.INVENTORY_SOURCE, Role.RESULTS_SINK)
    )
    default = None if info.is_required() else info.get_default(call_default_factory=True)
    if isinstance(default, Enum):
        default = default.value
    return FieldSpec(
        name=name,
        label=info.title or name.replace("_", " ").capitalize(),
        kind=kind,
        secret=secret,
        credential=credential,
        # An empty-ok secret is asked for all the same: the person says "none" if it has none.
        required=(info.is_required() or bool(extra.get("empty_ok")))
        and not extra.get("optional_in_chat", False),
        empty_ok=bool(extra.get("empty_ok")),
        example=str(info.examples[0]) if info.examples else None,
        prompt=info.description or f"What is the {name.replace('_', ' ')}?",
        default=default,
        choices=choices,
        roles=roles,
    )


def fields_of(
    config_model: type[BaseModel], secrets_model: type[BaseModel]
) -> tuple[FieldSpec, ...]:
    """Derive the field specs of a connector from its config and secrets models.

    Only ``SecretStr`` fields are secret. The secrets model may hold non-secret parts of a
    credential (an access key id) so that the vault keeps a credential together.
    """
    config = [_field_spec(n, i, credential=False) for n, i in config_model.model_fields.items()]
    secrets = [_field_spec(n, i, credential=True) for n, i in secrets_model.model_fields.items()]
    return (*config, *secrets)
