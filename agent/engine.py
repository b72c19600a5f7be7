"""Runs conversations: the conductor of one turn at a time per session.

A turn: validate the input, take the session's lock, load it, read the message once
(:mod:`agent.message`), let a command or the state's step (:mod:`agent.steps`) answer it,
stage any typed secret in the vault, record the reply, save, and start the background work
the turn asked for (:mod:`agent.background`). Messages to one session are serialized by a
per-session lock (arrival order); different sessions never wait on each other. Messages sent
while a test or discovery runs wait for it, except ``cancel``, which stops it at once.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog

from agent import commands, parsing, questions, secret_guard, staging
from agent.agents import DefaultAgents
from agent.background import Background
from agent.context import TurnContext
from agent.flow import FlowError
from agent.message import Message, form_command, read
from agent.naming import NAME
from agent.prompts import render
from agent.replies import finish
from agent.reply import Reply
from agent.resume import resume, resume_target
from agent.steps import STEPS
from agent.steps.select_type import type_options
from agent.tasks import EventHub, TaskRunner
from connections.client import ConnectionClient
from connections.errors import (
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
    UnavailableError,
    ValidationError,
)
from connections.identity import Identity
from connections.schemas import ConnectorTypeOut
from core.redaction import release_secrets, secrets_owned_by
from fsm import Event, State, fire
from fsm import Facts as FsmFacts
from sessions import LockProvider, Session, SessionLocks, SessionStore

__all__ = ["MAX_MESSAGE", "ConversationEngine"]

log = structlog.get_logger(__name__)
MAX_MESSAGE = 64 * 1024
# States after the connection test, where an expired secret is typed again in place.
_LATER = frozenset({State.SELECT_STREAMS, State.CONFIGURE_SYNC, State.REVIEW})
# States after a turn with no setup under way: created, or cancelled (or not begun).
_SETUP_OVER = frozenset({State.SELECT_SOURCE_TYPE.value, State.DONE.value})
# States whose turn may show the review (with the proposed name) or create the source.
_NAMING_STATES = frozenset({State.CONFIGURE_SYNC.value, State.REVIEW.value})
ClientFactory = Callable[[Identity], ConnectionClient]


class ConversationEngine:
    """The conversation service behind every face."""

    def __init__(
        self,
        *,
        store: SessionStore,
        client_for: ClientFactory,
        locks: LockProvider | None = None,
        tasks: TaskRunner | None = None,
        events: EventHub | None = None,
        task_timeout: float = 60.0,
    ) -> None:
        self._store = store
        self._client_for = client_for
        self._locks: LockProvider = locks or SessionLocks()
        self.tasks = tasks or TaskRunner()
        self.events = events or EventHub()
        self._task_timeout = task_timeout
        self._types: list[ConnectorTypeOut] | None = None
        self._agents = DefaultAgents()
        self._background = Background(
            store=store,
            locks=self._locks,
            client_for=client_for,
            types=self._connector_types,
            load=self._load,
            tasks=self.tasks,
            events=self.events,
            timeout=task_timeout,
        )

    async def _connector_types(self, client: ConnectionClient) -> list[ConnectorTypeOut]:
        if self._types is None:
            self._types = await client.connector_types()
        return self._types

    # -- public API ---------------------------------------------------------------------------

    async def start(self, who: Identity, agent_id: str | None = None) -> Reply:
        """Open a session and say welcome.

        Raises:
            NotFoundError: ``agent_id`` is not the tenant's.
            SessionLimitError: The store is full.
        """
        client = self._client_for(who)
        if agent_id is not None:
            agent = await client.get_agent(agent_id)  # 404 unless the tenant's
        else:
            agent = await self._agents.get(who, client)
        types = await self._connector_types(client)
        session = Session(
            tenant_id=who.tenant_id,
            user_id=who.user_id,
            roles=who.roles,
            agent_id=agent.id,
            state=fire(State.WELCOME, Event.START, FsmFacts()).value,
        )
        ctx = TurnContext(session=session, client=client, types=types)
        ctx.options = type_options(ctx)
        ctx.say(render("welcome", options=ctx.options))
        reply = finish(ctx, user_text=None)
        await self._store.create(session)
        return reply

    async def chat(
        self,
        who: Identity,
        session_id: str,
        *,
        message: str | None = None,
        fields: dict[str, str] | None = None,
    ) -> Reply:
        """Handle one message (free text, or structured ``fields`` from a masked form).

        Secrets the turn, or work it starts, registers for redaction belong to the session:
        they are released when its setup is over (created or cancelled) or it ends.

        Raises:
            ValidationError: Empty, too long, or neither message nor fields; nothing changed.
            NotFoundError: No such session for this user.
        """
        with secrets_owned_by(session_id):
            reply = await self._chat(who, session_id, message=message, fields=fields)
        if reply.state in _SETUP_OVER:
            # What this setup typed is in the vault now, or discarded with it.
            release_secrets(session_id)
        return reply

    async def _chat(
        self,
        who: Identity,
        session_id: str,
        *,
        message: str | None,
        fields: dict[str, str] | None,
    ) -> Reply:
        if fields is not None and (typed := form_command(fields)) is not None:
            message, fields = typed, None  # "cancel" typed into a masked field is a command
        text = _validate_input(message, fields)
        if self.tasks.running(session_id):
            # Someone else's session must not learn of, wait on or cancel this one's work. With
            # nothing running the load under the lock checks the owner: one read, not two.
            await self._load(who, session_id)
            if fields is None and _is_cancel(text):
                # Only cancel overtakes work in progress.
                self.tasks.cancel(session_id)
            else:
                await self.tasks.wait(session_id, seconds=self._task_timeout)
        async with self._locks.hold(session_id):
            session = await self._load(who, session_id)
            client = self._client_for(who)
            ctx = TurnContext(
                session=session, client=client, types=await self._connector_types(client)
            )
            ctx.taken_names = await _taken_names(ctx)
            await _agent_cron(ctx)
            shown = await self._turn(ctx, text, fields)
            reply = finish(ctx, user_text=shown)
            await self._store.save(session)
        if ctx.agent_gone:
            self._agents.forget(session.tenant_id)
        if ctx.start_task:
            self._background.start(who, session.id, ctx)
        return reply

    async def get(self, who: Identity, session_id: str) -> Session:
        """The session (transcript already redacted).

        Raises:
            NotFoundError: No such session for this user.
        """
        return await self._load(who, session_id)

    async def delete(self, who: Identity, session_id: str) -> None:
        """End a session: stop its work and delete its staged secrets."""
        session = await self._load(who, session_id)
        self.tasks.cancel(session_id)
        self.tasks.cancel(f"{session_id}:pull")
        refs = sorted(set(session.secret_refs.values()))
        await staging.discard(self._client_for(who), refs)
        await self._store.delete(session_id)
        self.events.close(session_id)

    async def aclose(self) -> None:
        """Stop background work and end every event feed."""
        self.events.close()
        await self.tasks.aclose()

    # -- one turn -----------------------------------------------------------------------------

    async def _turn(self, ctx: TurnContext, text: str, fields: dict[str, str] | None) -> str:
        """Apply the message; return what the transcript may show of it (secrets scrubbed)."""
        message = read(ctx, text, fields)
        ctx.secret_received = message.secret or bool(
            fields and any(f.secret for f in ctx.fields() if f.name in fields)
        )
        try:
            if await staging.keep_alive(ctx):
                return message.shown  # asked for the expired secret instead
            if message.form is None and (target := resume_target(ctx, text)) is not None:
                await resume(ctx, target)  # any state: it does not touch this setup
            else:
                await self._answer(ctx, message)
            await staging.stage(ctx)
        except FlowError as exc:
            ctx.say(str(exc))
            ctx.keep_options = True
            if ctx.asking_secret():
                ctx.input_type = "secret"
        except PermissionDeniedError:
            ctx.say(render("errors/permission"))
        except UnavailableError:
            ctx.say(render("errors/service_unavailable"))
        finally:
            # Whatever happened, a typed secret never stays in the turn.
            ctx.pending_secrets = {}
        return message.shown

    async def _answer(self, ctx: TurnContext, message: Message) -> None:
        """A command, an expired secret typed again, or the answer to the state's question."""
        state = State(ctx.session.state)
        if secret_guard.held_again(ctx, message):
            return  # a secret typed again, even in "change the database to <it>"
        if message.question is not None:
            questions.answer(ctx, message.question)
            return
        if message.command is not None and await commands.run(ctx, message.command):
            return
        if message.form is not None and state is not State.GATHER_CREDENTIALS:
            raise FlowError(render("errors/form_unexpected"))
        if state in _LATER and ctx.asking_secret():
            staging.retype(ctx, message.text)
        elif state in STEPS:
            await STEPS[state].answer(ctx, message)

    async def _load(self, who: Identity, session_id: str) -> Session:
        session = await self._store.get(session_id)
        if session is None or session.tenant_id != who.tenant_id or session.user_id != who.user_id:
            raise NotFoundError("No such session.")
        return session


async def _taken_names(ctx: TurnContext) -> frozenset[str]:
    """The agent's names, where this turn may show the review or create (one query)."""
    session = ctx.session
    if session.state not in _NAMING_STATES or NAME in session.answers:
        return frozenset()
    try:
        page = await ctx.client.list_sources(session.agent_id or "")
    except ServiceError:
        return frozenset()  # a taken name is still caught when creating
    return frozenset(source.name for source in page.items)


async def _agent_cron(ctx: TurnContext) -> None:
    """Look up the agent's default schedule once, where the schedule question may come."""
    session = ctx.session
    if session.agent_cron is not None or State(session.state) not in _LATER:
        return
    try:
        agent = await ctx.client.get_agent(session.agent_id or "")
    except ServiceError:
        return  # "default" is then not offered; any other schedule still works
    session.agent_cron = agent.default_cron


def _validate_input(message: str | None, fields: dict[str, str] | None) -> str:
    if fields is not None:
        if not fields or any(not isinstance(v, str) for v in fields.values()):
            raise ValidationError("fields must map setting names to text.", field="fields")
        if sum(len(v) for v in fields.values()) > MAX_MESSAGE:
            raise ValidationError("The fields are too long (64 KB at most).", field="fields")
        return ""
    if message is None or not message.strip():
        raise ValidationError("The message is empty.", field="message")
    if len(message.encode()) > MAX_MESSAGE:
        raise ValidationError("The message is too long (64 KB at most).", field="message")
    return message.strip()


def _is_cancel(text: str) -> bool:
    command = parsing.parse_command(text)
    return command is not None and command.kind is parsing.CommandKind.CANCEL
