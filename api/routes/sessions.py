"""``/api/v1/agents/ingestion/sessions``: the conversational setup API (seed 002)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from agent.engine import ConversationEngine
from agent.reply import Reply
from api.dispatch import AUTH_KEY
from api.routing import Call, RouteTable

__all__ = ["ENGINE_KEY", "EVENTS_PATH", "events_openapi", "routes", "session_events"]

ENGINE_KEY = web.AppKey("conversation_engine", ConversationEngine)
routes = RouteTable()
_BASE = "/api/v1/agents/ingestion/sessions"
_HEARTBEAT = 15.0
EVENTS_PATH = f"{_BASE}/{{session_id}}/events"


def events_openapi() -> dict[str, Any]:
    """The OpenAPI entry of the event stream (a streaming route outside the route table)."""
    return {
        "get": {
            "operationId": "session_events",
            "summary": "Follow a session: server-sent events with each agent message",
            "tags": ["sessions"],
            "parameters": [
                {"name": "session_id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "200": {
                    "description": "An event stream; each event's data is {type, reply}",
                    "content": {"text/event-stream": {"schema": {"type": "string"}}},
                },
                **{
                    str(status): {
                        "description": "Error",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    }
                    for status in (400, 401, 404)
                },
            },
        }
    }


class StartSession(BaseModel):
    """Optional: the agent to attach sources to (else the tenant's default agent)."""

    model_config = ConfigDict(extra="ignore")

    agent_id: str | None = Field(default=None, max_length=64)


class ChatMessage(BaseModel):
    """A message, or structured ``fields`` (a masked form, a Slack modal, a one-time link)."""

    model_config = ConfigDict(extra="ignore")

    message: str | None = Field(default=None, max_length=70_000)
    fields: dict[str, str] | None = Field(default=None, max_length=50)


class TurnOut(BaseModel):
    """One transcript entry (secrets already redacted)."""

    role: str
    text: str
    at: str


class SessionOut(BaseModel):
    """A session: its state, the last reply, and the redacted transcript."""

    session_id: str
    state: str
    last_reply: Reply | None
    transcript: list[TurnOut]


def _engine(call: Call) -> ConversationEngine:
    return call.request.app[ENGINE_KEY]


@routes.route(
    "POST",
    _BASE,
    summary="Start a conversation",
    tag="sessions",
    body=StartSession,
    response=Reply,
    status=201,
)
async def start_session(call: Call) -> Reply:
    """Open a session; the reply is the welcome in state select_source_type."""
    return await _engine(call).start(call.identity, call.body.agent_id)


@routes.route(
    "POST",
    f"{_BASE}/{{session_id}}/chat",
    summary="Send a message",
    tag="sessions",
    body=ChatMessage,
    response=Reply,
)
async def chat(call: Call) -> Reply:
    """One turn of the conversation."""
    body: ChatMessage = call.body
    return await _engine(call).chat(
        call.identity, call.path["session_id"], message=body.message, fields=body.fields
    )


@routes.route(
    "GET", f"{_BASE}/{{session_id}}", summary="Get a session", tag="sessions", response=SessionOut
)
async def get_session(call: Call) -> SessionOut:
    """State, last reply and redacted transcript."""
    session = await _engine(call).get(call.identity, call.path["session_id"])
    return SessionOut(
        session_id=session.id,
        state=session.state,
        last_reply=Reply.model_validate(session.last_reply) if session.last_reply else None,
        transcript=[
            TurnOut(role=t.role, text=t.text, at=t.at.isoformat()) for t in session.transcript
        ],
    )


@routes.route(
    "DELETE", f"{_BASE}/{{session_id}}", summary="End a session", tag="sessions", status=204
)
async def delete_session(call: Call) -> None:
    """Stop its work and delete its staged secrets."""
    await _engine(call).delete(call.identity, call.path["session_id"])


async def session_events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: each agent message that background work produces."""
    engine = request.app[ENGINE_KEY]
    who = request.app[AUTH_KEY].identify(request)
    session_id = request.match_info["session_id"]
    await engine.get(who, session_id)
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    async with engine.events.listen(session_id) as queue:
        while True:
            try:
                event: dict[str, Any] = await asyncio.wait_for(queue.get(), _HEARTBEAT)
                chunk = f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()
                if event["type"] == "end":
                    # The session was deleted or the service is stopping.
                    with contextlib.suppress(ConnectionResetError):
                        await response.write(chunk)
                    return response
            except TimeoutError:
                chunk = b": keep-alive\n\n"
            try:
                await response.write(chunk)
            except ConnectionResetError:
                # The client went away (a closed tab): stop quietly, it is not an error.
                return response
