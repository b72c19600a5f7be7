"""Runs conversations: one turn at a time per session, slow work in the background.

Messages to one session are serialized by a per-session lock (arrival order); different
sessions never wait on each other. A connection test or discovery runs as a background
task outside the lock: the turn that starts it answers at once with ``data.task``, and the
outcome arrives as the agent's next message (and on the session's event feed). Messages
sent meanwhile wait for it, except ``cancel``, which stops it at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import structlog

from agent import first_pull, parsing
from agent.commands import (
    apply_edit,
    back,
    cancel,
    forget_answers,
    help_text,
    retype_secret,
    status,
)
from agent.context import TurnContext
from agent.finish import (
    configure_schedule,
    configure_sink,
    creation_request,
    idempotency_key,
    review,
)
from agent.flow import (
    FlowError,
    after_answers,
    ask_next,
    choose_type,
    gather,
    generate_signing_secret,
    go_without,
    move,
    on_test_failed,
    retry,
    store_answers,
    type_options,
)
from agent.intent import command_for, form_command
from agent.naming import NAME, ask_for_another_name, rename
from agent.parsing import CommandKind
from agent.prompts import render
from agent.reply import Reply
from agent.resume import resume, resume_target
from agent.scope import SCOPE_FIELD, answer_scope, ask_scope, choose_in_scope
from agent.scrub import scrub
from agent.streams import catalog_key, change_cursor, choose_streams, compact_catalog, show_streams
from agent.tasks import EventHub, TaskRunner
from connections.client import ConnectionClient
from connections.errors import (
    CheckFailedError,
    ConflictError,
    ConnectorFailedError,
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
    UnavailableError,
    ValidationError,
)
from connections.identity import Identity, Permission
from connections.schemas import AgentOut, ConnectionCheckRequest, ConnectorTypeOut
from core.redaction import redact_text, register_secret, release_secrets, secrets_owned_by
from core.wording import human_list
from fsm import Event, State, fire
from fsm import Facts as FsmFacts
from sessions import LockProvider, Session, SessionLocks, SessionStore

__all__ = ["MAX_MESSAGE", "ConversationEngine"]


@dataclass(frozen=True)
class _Outcome:
    """What a connection test found."""

    ok: bool
    failure: str | None
    field: str | None
    message: str
    details: dict[str, Any] | None = None


log = structlog.get_logger(__name__)
MAX_MESSAGE = 64 * 1024
_STEPS = {"test": "test connection", "discover": "discover schema", "pull": first_pull.STEP}
_DEFAULT_AGENT_CACHE = 10_000
# States after the connection test, where an expired secret is typed again in place.
_LATER = frozenset({State.SELECT_STREAMS, State.CONFIGURE_SYNC, State.REVIEW})
# States whose turn may show the review (with the proposed name) or create the source.
_NAMING_STATES = frozenset({State.CONFIGURE_SYNC.value, State.REVIEW.value})
# States after a turn with no setup under way: created, or cancelled (or not begun).
_SETUP_OVER = frozenset({State.SELECT_SOURCE_TYPE.value, State.DONE.value})
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
        # Tenant -> default agent id: a session start would otherwise query it every time.
        self._default_agents: dict[str, str] = {}
        self._agent_lookups: dict[str, asyncio.Future[AgentOut]] = {}

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
            await client.list_sources(agent_id)  # 404 unless the tenant's
        else:
            agent_id = await self._default_agent(who, client)
        types = await self._connector_types(client)
        session = Session(
            tenant_id=who.tenant_id,
            user_id=who.user_id,
            roles=who.roles,
            agent_id=agent_id,
            state=State.WELCOME.value,
        )
        session.state = fire(State.WELCOME, Event.START, FsmFacts()).value
        ctx = TurnContext(session=session, client=client, types=types)
        ctx.options = type_options(ctx)
        ctx.say(render("welcome", options=ctx.options))
        reply = self._finish(ctx, user_text=None)
        await self._store.create(session)
        return reply

    async def _default_agent(self, who: Identity, client: ConnectionClient) -> str:
        """The tenant's default agent id: cached, and looked up once for concurrent starts."""
        # The cache must not let a caller skip the check the lookup itself makes.
        who.require(Permission.READ)
        cached = self._default_agents.get(who.tenant_id)
        if cached is not None:
            return cached
        # A tenant's first contact often comes as many starts at once: without one shared
        # lookup each would try to create the default agent and queue on the database
        # (seconds at 50 concurrent starts, measured).
        lookup = self._agent_lookups.get(who.tenant_id)
        leading = lookup is None
        if lookup is None:
            lookup = asyncio.ensure_future(client.default_agent())
            self._agent_lookups[who.tenant_id] = lookup
            lookup.add_done_callback(partial(self._lookup_done, who.tenant_id))
        try:
            agent_id = (await asyncio.shield(lookup)).id
        except Exception:
            if leading:
                raise
            # Only success is shared: the leader may lack what this caller has (a viewer
            # cannot create the default agent, a data engineer can).
            agent_id = (await client.default_agent()).id
        if len(self._default_agents) >= _DEFAULT_AGENT_CACHE:
            self._default_agents.clear()
        self._default_agents[who.tenant_id] = agent_id
        return agent_id

    def _lookup_done(self, tenant_id: str, lookup: asyncio.Future[AgentOut]) -> None:
        if self._agent_lookups.get(tenant_id) is lookup:
            del self._agent_lookups[tenant_id]
        if not lookup.cancelled():
            lookup.exception()  # retrieved: its callers were told, or gave up waiting

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
            ctx.taken_names = await self._taken_names(ctx)
            shown = await self._turn(ctx, text, fields)
            reply = self._finish(ctx, user_text=shown)
            await self._store.save(session)
        if ctx.start_task:
            self._start_task(who, session.id, ctx.start_task, ctx.data)
        return reply

    @staticmethod
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
        await self._discard(self._client_for(who), sorted(set(session.secret_refs.values())))
        await self._store.delete(session_id)
        self.events.close(session_id)

    async def aclose(self) -> None:
        """Stop background work and end every event feed."""
        self.events.close()
        await self.tasks.aclose()

    # -- one turn -----------------------------------------------------------------------------

    async def _turn(self, ctx: TurnContext, text: str, fields: dict[str, str] | None) -> str:
        """Apply the message; return what the transcript may show of it (secrets scrubbed)."""
        shown = scrub(ctx, text) if fields is None else ""
        try:
            if await self._keep_secrets(ctx):
                return shown  # asked for the expired secret instead
            if fields is not None:
                shown = self._structured(ctx, fields)
            elif (target := resume_target(ctx, text)) is not None:
                await resume(ctx, target)  # any state: it does not touch this setup
            else:
                await self._dispatch(ctx, text)
            await self._stage_secrets(ctx)
        except FlowError as exc:
            ctx.say(str(exc))
            ctx.keep_options = True
            if ctx.asking_secret():
                ctx.data["input_type"] = "secret"
        except PermissionDeniedError:
            ctx.say(render("errors/permission"))
        except UnavailableError:
            ctx.say(render("errors/service_unavailable"))
        finally:
            # Whatever happened, a typed secret never stays in the turn's data.
            ctx.data.pop("_pending_secrets", None)
            ctx.data.pop("_extraction", None)
        return shown

    def _structured(self, ctx: TurnContext, fields: dict[str, str]) -> str:
        if State(ctx.session.state) is not State.GATHER_CREDENTIALS:
            raise FlowError("Those settings aren't expected right now.")
        known = {f.name: f for f in ctx.fields()}
        unknown = [k for k in fields if k not in known]
        if unknown:
            word = "setting" if len(unknown) == 1 else "settings"
            raise FlowError(f"Unknown {word}: {', '.join(sorted(unknown))}.")
        values = {k: v for k, v in fields.items() if not known[k].secret}
        secrets = {k: v for k, v in fields.items() if known[k].secret}
        for name, value in list(secrets.items()):
            if not parsing.says_nothing(value):
                continue
            if known[name].empty_ok and ctx.session.asked == name:
                del secrets[name]
                go_without(ctx, known[name])
            elif not value.strip():
                raise FlowError(f"That was empty. Paste the {known[name].label.lower()}.")
        if not values and not secrets:
            return "(form) " + ", ".join(sorted(fields))
        store_answers(ctx, values, secrets)
        ctx.say(
            render(
                "got_fields",
                got=[known[k].label.lower() for k in values],
                secret_stored=[known[k].label.lower() for k in secrets],
            )
        )
        after_answers(ctx)
        return "(form) " + ", ".join(sorted(fields))

    async def _dispatch(self, ctx: TurnContext, text: str) -> None:
        state = State(ctx.session.state)
        command = command_for(ctx, text)
        if command is not None:
            handled = await self._command(ctx, command)
            if handled:
                return
        await self._answer(ctx, state, text)

    async def _answer(self, ctx: TurnContext, state: State, text: str) -> None:
        """The message answers this state's question."""
        if state in _LATER and ctx.asking_secret():
            retype_secret(ctx, text)
        elif state is State.SELECT_SOURCE_TYPE:
            choose_type(ctx, text)
        elif state is State.GATHER_CREDENTIALS:
            gather(ctx, text)
        elif state is State.DISCOVER_SCHEMA and ctx.session.asked == SCOPE_FIELD:
            answer_scope(ctx, text)
        elif state in (State.TEST_CONNECTION, State.DISCOVER_SCHEMA):
            ctx.say(render("busy", step="working on it"))
        elif state is State.SELECT_STREAMS:
            choose_in_scope(ctx, text)
        elif state is State.CONFIGURE_SYNC:
            if ctx.is_sink:
                configure_sink(ctx, text)
            elif not change_cursor(ctx, text):
                configure_schedule(ctx, text)
        elif state is State.REVIEW:
            await self._review_answer(ctx, text)
        elif state is State.DONE:
            ctx.say(render("done"))
            ctx.options = ["Start over"]

    async def _command(self, ctx: TurnContext, command: parsing.Command) -> bool:
        """Handle a command; False when it does not apply here (the message is data)."""
        kind = command.kind
        state = State(ctx.session.state)
        simple = {CommandKind.HELP: help_text, CommandKind.STATUS: status, CommandKind.BACK: back}
        if kind in simple:
            simple[kind](ctx)
        elif kind is CommandKind.CANCEL:
            await self._cancel(ctx)
        elif kind is CommandKind.RETRY and state is State.GATHER_CREDENTIALS:
            if not ctx.session.last_failure and ctx.missing() and not ctx.asking_secret():
                return False  # "retry" may be the answer to the question asked
            retry(ctx)
        elif kind is CommandKind.GENERATE and state is State.GATHER_CREDENTIALS:
            generate_signing_secret(ctx)
        elif kind is CommandKind.EDIT:
            return self._edit(ctx, command, state)
        else:
            return False
        return True

    async def _cancel(self, ctx: TurnContext) -> None:
        if State(ctx.session.state) is State.DONE:
            move(ctx, Event.RESTART)
            # The finished setup's answers and masks must not leak into the next one.
            forget_answers(ctx.session)
            ctx.say("What type of data source would you like to connect?")
        else:
            await self._discard(ctx.client, cancel(ctx))
        ctx.options = type_options(ctx)

    @staticmethod
    def _edit(ctx: TurnContext, command: parsing.Command, state: State) -> bool:
        if command.field and command.secret:
            # A new secret goes to the vault like any other; its value never stays here.
            if command.value:
                store_answers(ctx, {}, {command.field: command.value})
                after_answers(ctx)
            else:
                ctx.session.asked = command.field
                ask_next(ctx)
        elif command.field:
            apply_edit(ctx, command)
        elif state is State.REVIEW:
            ctx.say('What should I change? For example "change the schedule".')
        else:
            return False
        return True

    async def _review_answer(self, ctx: TurnContext, text: str) -> None:
        if ctx.session.asked == NAME:
            # The name was taken when creating: this message is the new one.
            if parsing.parse_yes_no(text) is not None:
                raise FlowError("Which name should I use? Type it, or pick the one offered.")
            rename(ctx, text)
            review(ctx)
            return
        answer = parsing.parse_yes_no(text)
        if answer is None and text.strip().lower() in {"create", "create it"}:
            answer = True
        if answer is None:
            raise FlowError('Say "yes" to create it, or tell me what to change.')
        if not answer:
            ctx.say(
                'What should I change? For example "change the schedule" or '
                '"change the region to eu-west-1".'
            )
            ctx.options = ["Change the schedule", "Cancel"]
            return
        move(ctx, Event.CONFIRMED)
        await self._execute(ctx)

    async def _execute(self, ctx: TurnContext) -> None:
        """Create the source (idempotent per answers); report what did and didn't happen."""
        body = creation_request(ctx)
        key = idempotency_key(ctx, body)
        agent_id = ctx.session.agent_id or ""
        try:
            created = await ctx.client.create_source(agent_id, body, idempotency_key=key)
        except PermissionDeniedError:
            move(ctx, Event.EXECUTE_FAILED)
            ctx.say(render("errors/permission"))
            return
        except ConflictError as exc:
            move(ctx, Event.EXECUTE_FAILED)
            if exc.field != "name":
                raise FlowError(exc.message) from None
            ask_for_another_name(ctx, body.name)
            return
        except CheckFailedError as exc:
            move(ctx, Event.EXECUTE_FAILED)
            ctx.say(
                render(
                    "errors/execute_failed",
                    message=exc.message,
                    advice='Say "change the …" to fix it, or "cancel".',
                )
            )
            return
        except ServiceError as exc:
            if isinstance(exc, NotFoundError):
                # The agent may have been deleted: the next session looks it up afresh.
                self._default_agents.pop(ctx.session.tenant_id, None)
            move(ctx, Event.EXECUTE_FAILED)
            ctx.say(
                render(
                    "errors/execute_failed", message=exc.message, advice='Say "yes" to try again.'
                )
            )
            return
        ctx.session.secret_refs = {}  # attached to the source now; nothing staged remains
        ctx.session.result = {"id": created.id, "name": created.name, "status": created.status}
        move(ctx, Event.EXECUTED)
        notes = []
        if ctx.is_sink:
            notes.append(
                "Results will be pushed here when jobs complete."
                if created.auto_push_on_job_complete
                else "Auto-push is off: say so in the rules when you want results pushed."
            )
        else:
            if created.schedule_cron:
                words = (ctx.session.schedule or {}).get("description", created.schedule_cron)
                zone = created.schedule_timezone
                notes.append(f"It will be checked {words}{'' if zone == 'UTC' else f' ({zone})'}.")
            else:
                notes.append("It has no schedule: pull it on demand.")
            notes.append(await first_pull.start(ctx, created.id))
        ctx.say(
            render("executed", name=created.name, status=created.status, id=created.id, notes=notes)
        )
        ctx.options = ["Start over"]

    # -- secrets ------------------------------------------------------------------------------

    async def _stage_secrets(self, ctx: TurnContext) -> None:
        """Send typed secrets to the vault now; the session keeps only the reference."""
        pending: dict[str, str] = ctx.data.pop("_pending_secrets", {})
        if not pending:
            return
        for value in pending.values():
            register_secret(value)
        refs = sorted(set(ctx.session.secret_refs.values()))
        staged = await ctx.client.stage_secret(
            pending, type_=ctx.session.connector_type, secret_ref=refs[0] if refs else None
        )
        for name in pending:
            ctx.session.secret_refs[name] = staged.secret_ref
            ctx.session.secret_masks[name] = staged.mask if len(pending) == 1 else "ia_****"

    @staticmethod
    async def _keep_secrets(ctx: TurnContext) -> bool:
        """Keep the session's staged secrets alive; True when one had expired and is asked for.

        Staged secrets expire one TTL after the last turn, not after they were typed. One
        that expired anyway (an hour without a turn) is asked for again, and only that one.
        """
        session = ctx.session
        expired: list[str] = []
        for ref in sorted(set(session.secret_refs.values())):
            try:
                await ctx.client.touch_secret(ref)
            except NotFoundError:
                expired += [name for name, r in session.secret_refs.items() if r == ref]
        if not expired:
            return False
        for name in expired:
            session.secret_refs.pop(name, None)
            session.secret_masks.pop(name, None)
        labels = human_list([ctx.label(n) for n in expired])
        ctx.say(
            f"The {labels} you typed earlier expired from the vault after an hour without "
            "a message, so I no longer have it."
        )
        if State(session.state) is State.GATHER_CREDENTIALS:
            return False  # the turn goes on, and asks for what is missing
        session.asked = expired[0]
        ctx.say(f"Type the {ctx.label(expired[0])} again; it goes straight to the vault.")
        ctx.data["input_type"] = "secret"
        ctx.options = ["Cancel"]
        return True

    async def _discard(self, client: ConnectionClient, refs: list[str]) -> None:
        for ref in refs:
            try:
                await client.discard_secret(ref)
            except (NotFoundError, ValidationError):
                continue

    # -- background work ------------------------------------------------------------------------

    def _start_task(
        self, who: Identity, session_id: str, kind: str, data: dict[str, Any] | None = None
    ) -> None:
        if kind == "pull":
            # Under its own key: messages do not wait for a pull, and "cancel" does not stop it.
            source_id, sync_id = (data or {})["_pull"]
            self.tasks.start(
                f"{session_id}:pull", self._follow_pull(who, session_id, source_id, sync_id)
            )
            return
        work = self._test(who, session_id) if kind == "test" else self._discover(who, session_id)
        self.tasks.start(session_id, work)

    async def _follow_pull(
        self, who: Identity, session_id: str, source_id: str, sync_id: str
    ) -> None:
        client = self._client_for(who)
        try:
            session = await self._load(who, session_id)
        except NotFoundError:
            return  # the session was deleted: the sync's record stays with the source
        try:
            sync = await first_pull.wait(client, session.agent_id or "", source_id, sync_id)
        except ServiceError:
            sync = None
        await self._after(
            who,
            session_id,
            lambda c: first_pull.report(c, source_id, sync_id, sync),
            states=(State.DONE,),
        )

    def _request(self, ctx: TurnContext) -> ConnectionCheckRequest:
        body = creation_request(ctx)
        return ConnectionCheckRequest(
            type=body.type,
            role=body.role,
            config=body.config,
            secret=body.secret,
            secret_ref=body.secret_ref,
        )

    async def _test(self, who: Identity, session_id: str) -> None:
        client = self._client_for(who)
        session = await self._load(who, session_id)
        ctx = TurnContext(session=session, client=client, types=await self._connector_types(client))
        try:
            result = await asyncio.wait_for(
                client.check(session.agent_id or "", self._request(ctx)), self._task_timeout
            )
            outcome = _Outcome(
                ok=result.ok,
                failure=result.failure,
                field=result.field,
                message=result.message,
                details=result.details,
            )
        except TimeoutError:
            outcome = _Outcome(
                ok=False, failure="timeout", field=None, message="The test took too long."
            )
        except PermissionDeniedError:
            outcome = _Outcome(
                ok=False,
                failure="permission_denied",
                field=None,
                message=render("errors/permission"),
            )
        except ConnectorFailedError as exc:
            outcome = _Outcome(
                ok=False, failure=exc.failure.value, field=exc.field, message=exc.message
            )
        except ServiceError as exc:
            outcome = _Outcome(ok=False, failure=exc.code, field=exc.field, message=exc.message)
        chained = await self._after(who, session_id, lambda c: self._on_test(c, outcome))
        if chained:
            self._start_task(who, session_id, "discover")

    @staticmethod
    def _on_test(ctx: TurnContext, outcome: _Outcome) -> bool:
        if not outcome.ok:
            on_test_failed(ctx, outcome.failure, outcome.field, outcome.message)
            return False
        ctx.say(render("test_passed", message=outcome.message))
        move(ctx, Event.TEST_PASSED)
        if ctx.is_sink:
            ctx.say(render("ask_sink_push"))
            ctx.options = ["Yes", "No"]
            return False
        if ask_scope(ctx, outcome.details or {}):
            return False
        ctx.say(render("discovering"))
        return True

    async def _discover(self, who: Identity, session_id: str) -> None:
        client = self._client_for(who)
        session = await self._load(who, session_id)
        ctx = TurnContext(session=session, client=client, types=await self._connector_types(client))
        request = self._request(ctx)
        key = catalog_key(
            {
                "tenant": session.tenant_id,
                "request": request.model_dump(mode="json"),
                "masks": session.secret_masks,
            }
        )
        kept = session.catalog or {}
        if kept.get("key") == key and "streams" in kept:
            # Back and forth in the chat: what was discovered for these settings still holds.
            streams = list(kept["streams"])
            await self._after(who, session_id, lambda c: self._on_catalog(c, streams, key))
            return
        try:
            catalog = await asyncio.wait_for(
                client.discover(session.agent_id or "", request), self._task_timeout
            )
        except (TimeoutError, ServiceError) as exc:
            message = getattr(exc, "message", "Discovery took too long.")
            await self._after(who, session_id, lambda c: self._discovery_failed(c, message))
            return
        compact = compact_catalog(catalog.streams)
        await self._after(who, session_id, lambda c: self._on_catalog(c, compact, key))

    def _discovery_failed(self, ctx: TurnContext, message: str) -> bool:
        move(ctx, Event.DISCOVERY_FAILED)
        ctx.session.last_failure = {"failure": "discovery_failed", "field": None, "reask": []}
        ctx.say(f"✗ {message}")
        ctx.say('Change a setting (for example "change the prefix to …"), or say "retry".')
        ctx.options = ["Retry", "Cancel"]
        return False

    @staticmethod
    def _on_catalog(ctx: TurnContext, streams: list[dict[str, Any]], key: str) -> bool:
        before = ctx.session.catalog or {}
        ctx.session.catalog = {"key": key, "streams": streams}
        if before.get("scope"):
            ctx.session.catalog["scope"] = before["scope"]  # "back" asks the scope again
        move(ctx, Event.DISCOVERED)
        pending = before.get("pending")
        if pending and streams:
            # The phrase that widened the scope picks from what it made visible.
            try:
                choose_streams(ctx, pending)
            except FlowError:
                pass
            else:
                return False
        show_streams(ctx)
        if not streams:
            ctx.session.last_failure = {"failure": "no_streams", "field": None, "reask": []}
            ctx.options = ["Retry", "Cancel"]
        return False

    async def _after(
        self,
        who: Identity,
        session_id: str,
        apply: Callable[[TurnContext], bool],
        *,
        states: tuple[State, ...] = (State.TEST_CONNECTION, State.DISCOVER_SCHEMA),
    ) -> bool:
        """Apply a task's outcome under the session lock as the agent's next message."""
        async with self._locks.hold(session_id):
            session = await self._store.get(session_id)
            if session is None or session.state not in {s.value for s in states}:
                return False  # cancelled or moved on meanwhile
            client = self._client_for(who)
            ctx = TurnContext(
                session=session, client=client, types=await self._connector_types(client)
            )
            chained = apply(ctx)
            # A chained discovery shows as work in progress in this very reply.
            session.task = (
                {"id": f"{session.id}:discover", "step": "discover schema", "status": "running"}
                if chained
                else None
            )
            reply = self._finish(ctx, user_text=None)
            await self._store.save(session)
        self.events.publish(session_id, {"type": "reply", "reply": reply.model_dump(mode="json")})
        return chained

    # -- replies --------------------------------------------------------------------------------

    def _finish(self, ctx: TurnContext, *, user_text: str | None) -> Reply:
        """Assemble the reply, record the turn (redacted), and publish it."""
        session = ctx.session
        if ctx.keep_options and not ctx.options and session.last_reply:
            ctx.options = list(session.last_reply.get("options") or [])
        data = {k: v for k, v in ctx.data.items() if not k.startswith("_")}
        reveal = data.pop("reveal_once", None)
        data.setdefault("input_type", "text")
        if "required_fields" not in data:
            data["required_fields"] = (
                [f.name for f in ctx.missing()]
                if ctx.connector and State(session.state) is State.GATHER_CREDENTIALS
                else []
            )
        if ctx.start_task:
            step = _STEPS[ctx.start_task]
            session.task = {
                "id": f"{session.id}:{ctx.start_task}",
                "step": step,
                "status": "running",
            }
        if session.task:
            data["task"] = session.task
        message = "\n\n".join(ctx.lines)
        reply = Reply(
            session_id=session.id,
            state=session.state,
            message=message,
            options=ctx.options,
            data=data,
        )
        if user_text is not None:
            session.append("user", redact_text(user_text))
        session.append("agent", redact_text(message))
        session.last_reply = reply.model_dump(mode="json")
        if reveal is not None:
            # Shown once in this reply only: never in the transcript or last_reply.
            reply = reply.model_copy(update={"data": {**data, "reveal_once": reveal}})
        return reply

    async def _load(self, who: Identity, session_id: str) -> Session:
        session = await self._store.get(session_id)
        if session is None or session.tenant_id != who.tenant_id or session.user_id != who.user_id:
            raise NotFoundError("No such session.")
        return session


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
    return command is not None and command.kind is CommandKind.CANCEL
