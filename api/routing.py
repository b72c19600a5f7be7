"""Declared routes: one declaration serves the router, validation and the OpenAPI document.

A handler receives a :class:`Call` (identity, validated body, path and query values) and
returns a pydantic model, a list of them, or ``None``. Because the OpenAPI document is
generated from the same declarations that validate requests, it cannot drift from them.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from api.errors import ApiError
from connections.identity import Identity

__all__ = ["Call", "Endpoint", "Query", "RouteTable"]

Handler = Callable[["Call"], Awaitable[Any]]


@dataclass(frozen=True)
class Query:
    """A query parameter."""

    name: str
    type: type = str
    description: str = ""
    enum: tuple[str, ...] = ()
    default: Any = None
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class Endpoint:
    """One declared route."""

    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    query: tuple[Query, ...] = ()
    creates: bool = False
    public: bool = False
    errors: tuple[int, ...] = (400, 401, 403, 404, 422)

    @property
    def operation_id(self) -> str:
        """A stable operation id from the handler's name."""
        return self.handler.__name__


@dataclass
class Call:
    """What a handler gets."""

    request: web.Request
    identity: Identity
    body: Any
    path: dict[str, str]
    query: dict[str, Any]


@dataclass
class RouteTable:
    """Collects endpoints; installs them on an app."""

    endpoints: list[Endpoint] = field(default_factory=list)

    def route(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        tag: str,
        body: type[BaseModel] | None = None,
        response: Any = None,
        status: int = 200,
        query: Sequence[Query] = (),
        creates: bool = False,
        public: bool = False,
    ) -> Callable[[Handler], Handler]:
        """Declare a route (a decorator)."""

        def register(handler: Handler) -> Handler:
            self.endpoints.append(
                Endpoint(
                    method=method,
                    path=path,
                    handler=handler,
                    summary=summary,
                    tag=tag,
                    body=body,
                    response=response,
                    status=status,
                    query=tuple(query),
                    creates=creates,
                    public=public,
                )
            )
            return handler

        return register


def parse_query(endpoint: Endpoint, request: web.Request) -> dict[str, Any]:
    """Validate declared query parameters.

    Raises:
        ApiError: 400 naming the parameter.
    """
    values: dict[str, Any] = {}
    for param in endpoint.query:
        raw = request.query.get(param.name)
        if raw is None:
            values[param.name] = param.default
            continue
        if param.type is int:
            try:
                value: Any = int(raw)
            except ValueError:
                raise ApiError(
                    400,
                    "invalid_parameter",
                    f"{param.name} must be a whole number.",
                    field=param.name,
                ) from None
            if (param.minimum is not None and value < param.minimum) or (
                param.maximum is not None and value > param.maximum
            ):
                raise ApiError(
                    400,
                    "invalid_parameter",
                    f"{param.name} must be between {param.minimum} and {param.maximum}.",
                    field=param.name,
                )
        else:
            value = raw
            # Enumerations match in any case and come out in their canonical spelling.
            canonical = {e.lower(): e for e in param.enum}
            if param.enum:
                value = canonical.get(raw.lower(), raw)
            if param.enum and value not in param.enum:
                allowed = ", ".join(param.enum)
                raise ApiError(
                    400,
                    "invalid_parameter",
                    f"{param.name} must be one of: {allowed}.",
                    field=param.name,
                )
        values[param.name] = value
    return values


async def parse_body(endpoint: Endpoint, request: web.Request) -> Any:
    """Read and validate the JSON body.

    Raises:
        ApiError: 400 for malformed JSON, 422 naming the first invalid field.
    """
    if endpoint.body is None:
        return None
    raw = await request.read()
    try:
        data = json.loads(raw) if raw.strip() else {}
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(400, "invalid_json", "The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "The request body must be a JSON object.")
    try:
        return endpoint.body.model_validate(data)
    except PydanticValidationError as exc:
        # include_input=False: a rejected value may be a secret.
        first = exc.errors(include_input=False, include_url=False)[0]
        loc = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ApiError(
            422, "validation_failed", f"{loc}: {message}" if loc else message, field=loc or None
        ) from None


def dump(response: Any) -> Any:
    """JSON-ready form of a handler's result, with camelCase aliases."""
    if isinstance(response, BaseModel):
        return response.model_dump(mode="json", by_alias=True)
    if isinstance(response, list):
        return [dump(item) for item in response]
    return TypeAdapter(type(response)).dump_python(response, mode="json")
