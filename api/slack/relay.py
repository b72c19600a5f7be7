"""The Slack relay: one thread, one conversation with the engine, driven by who started it.

The routes acknowledge Slack at once and hand the work here as tracked background tasks
(:meth:`SlackRelay.spawn`). A mention in a channel, or a direct message, starts a session
and records the thread; the starter's later messages in the thread are chat messages, and
button clicks send an option's text. Everyone else in the thread gets a one-time private
notice.

Secrets: a reply asking for one carries a button that opens a private form (a modal); its
values reach the engine as structured ``fields``, so they never appear in the channel. A
secret typed into the channel anyway is used (the engine has already sent it to the vault
and redacted it) and the relay warns that Slack keeps the message, so it must be rotated.
Everything the relay posts is the engine's redacted reply or its own fixed text.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Coroutine
from typing import Any

import structlog

from agent.engine import ConversationEngine
from agent.reply import Reply
from api.slack.blocks import (
    MORE_ACTION,
    OPTION_ACTION,
    SECRET_ACTION,
    FormField,
    options_message,
    reply_message,
    secret_form,
    text_message,
)
from api.slack.client import SlackApi
from api.slack.dedup import SeenSet
from api.slack.events import ButtonClick, IncomingMessage, SecretSubmission, plain_text
from api.slack.identity import SlackPeople
from api.slack.threads import ThreadKey, ThreadRecord, ThreadStore
from connections.errors import (
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
    ValidationError,
)
from connections.identity import Identity
from core.redaction import redact_text
from sessions import Session, SessionError, SessionLimitError, SessionNotFoundError

__all__ = ["ROTATE_WARNING", "SlackRelay"]

log = structlog.get_logger(__name__)

ROTATE_WARNING = (
    "⚠️ Your last message contained a secret. I used it (it went straight to the encrypted "
    "vault, and my transcript shows it as ***REDACTED***), but Slack keeps every message in "
    "this channel's history and I can't delete yours. Please rotate that secret now, and next "
    'time use the "Enter it privately" button.'
)
_NOT_YOURS = (
    "This conversation belongs to <@{owner}>, so I'm not acting on your messages here. "
    "Mention me in a new message to start your own."
)
_EXPIRED = "That conversation expired, so I've started a new one in this thread."
_TRY_LATER = "I can't take that right now ({reason}). Please try again in a moment."
_GREETING = re.compile(
    r"^(hi|hello|hey|hiya|howdy|yo|good (morning|afternoon|evening))\b[\s!.,:)]*$", re.IGNORECASE
)
# How often a follower checks that the work it waits for still runs (a cancel stops it
# without a message to wait for).
_FOLLOW_SLICE = 5.0


class SlackRelay:
    """Turns Slack events into conversation turns and replies into thread messages.

    Args:
        engine: The conversation engine every face shares.
        api: The Slack Web API (the bot token's client).
        people: Slack user → identity.
        threads: Thread → session and owner.
        seen: Event and message ids already handled.
        follow_timeout: How long to follow a background test or discovery for its outcome.
    """

    def __init__(
        self,
        *,
        engine: ConversationEngine,
        api: SlackApi,
        people: SlackPeople,
        threads: ThreadStore,
        seen: SeenSet,
        follow_timeout: float = 300.0,
    ) -> None:
        self._engine = engine
        self._api = api
        self._people = people
        self._threads = threads
        self._seen = seen
        self._follow_timeout = follow_timeout
        self._tasks: set[asyncio.Task[None]] = set()

    # -- the routes' side ---------------------------------------------------------------------

    async def first_delivery(self, event_id: str) -> bool:
        """Whether this is the first time Slack delivers ``event_id`` (retries are not)."""
        return await self._seen.first(f"event:{event_id}")

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` in the background, tracked so shutdown can cancel it."""
        task = asyncio.create_task(self._guard(work), name="slack_relay")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _guard(work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            # Slack already has its 200; a bug here must not vanish silently.
            log.exception("slack_work_failed")

    @property
    def pending(self) -> int:
        """Background tasks still running (for tests and shutdown)."""
        return len(self._tasks)

    async def drain(self) -> None:
        """Wait until every background task has finished (for tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        """Cancel the background work and wait for it to stop."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._threads.aclose()
        await self._seen.aclose()

    async def session_of(self, thread: ThreadKey) -> str | None:
        """The session ``thread`` drives, if any."""
        record = await self._threads.get(thread)
        return None if record is None else record.session_id

    def _bind(self, team: str, user: str) -> None:
        """Name the Slack user in every log line of this task (a copy of the request's)."""
        structlog.contextvars.bind_contextvars(
            tenant_id=self._people.tenant, user_id=f"slack:{team}:{user}"
        )

    # -- messages -----------------------------------------------------------------------------

    async def on_message(self, message: IncomingMessage) -> None:
        """A message where the app can see it: start, continue, or ignore a conversation."""
        if not message.by_a_person:
            return
        bot = await self._api.bot_user()
        if bot is not None and message.user == bot:
            return
        thread = message.thread
        record = await self._threads.get(thread)
        if record is None and not (message.kind == "app_mention" or message.direct):
            return  # channel chatter outside our threads
        # A channel mention arrives twice (message and app_mention): act on one.
        if not await self._seen.first(f"message:{message.team}:{message.channel}:{message.ts}"):
            return
        self._bind(message.team, message.user)
        text = plain_text(message.text, bot_user=bot)
        if record is None:
            await self._open(thread, message.user, text)
        elif message.user != record.owner:
            await self._not_yours(thread, record, message.user)
        elif text:
            await self._converse(thread, record.owner, record.session_id, message=text)

    async def _start(self, thread: ThreadKey, user: str) -> Reply | None:
        """A new session for ``user``: its welcome, or ``None`` once the thread heard why not."""
        try:
            return await self._engine.start(self._people.identity(thread.team, user))
        except (ServiceError, SessionError) as exc:
            await self._api.post(thread, text_message(_try_later(exc)))
            return None

    async def _open(self, thread: ThreadKey, user: str, text: str) -> None:
        """Start a session for ``thread`` with ``user`` as its owner."""
        welcome = await self._start(thread, user)
        if welcome is None:
            return
        record = await self._threads.claim(
            thread, ThreadRecord(session_id=welcome.session_id, owner=user)
        )
        if record.session_id != welcome.session_id:
            # Another process started this thread's session first: keep that one.
            await self._engine.delete(self._people.identity(thread.team, user), welcome.session_id)
            return
        log.info("slack_thread_started", session_id=welcome.session_id)
        if text and not _GREETING.match(text):
            await self._converse(thread, user, welcome.session_id, message=text, welcome=welcome)
        else:
            await self._api.post(thread, reply_message(welcome))

    async def _restart(self, thread: ThreadKey, user: str) -> None:
        """The thread's session is gone (expired): start a new one in the same thread."""
        welcome = await self._start(thread, user)
        if welcome is None:
            return
        await self._threads.replace(thread, ThreadRecord(session_id=welcome.session_id, owner=user))
        await self._api.post(thread, text_message(_EXPIRED))
        await self._api.post(thread, reply_message(welcome))

    async def _not_yours(self, thread: ThreadKey, record: ThreadRecord, user: str) -> None:
        """Tell someone else in the thread, once and privately, that it is not theirs."""
        if await self._seen.first(f"notice:{thread}:{user}"):
            await self._api.ephemeral(thread, user, _NOT_YOURS.format(owner=record.owner))

    # -- one turn -----------------------------------------------------------------------------

    async def _converse(
        self,
        thread: ThreadKey,
        owner: str,
        session_id: str,
        *,
        message: str | None = None,
        fields: dict[str, str] | None = None,
        chose: str | None = None,
        welcome: Reply | None = None,
    ) -> None:
        """Send one message (or form) to the session; post the reply and any later outcome."""
        structlog.contextvars.bind_contextvars(session_id=session_id)
        who = self._people.identity(thread.team, owner)
        # Listen before the turn: a test it starts may report before we are done posting.
        async with self._engine.events.listen(session_id) as feed:
            try:
                reply = await self._engine.chat(who, session_id, message=message, fields=fields)
            except (NotFoundError, SessionNotFoundError):
                await self._restart(thread, owner)
                return
            except ValidationError as exc:
                await self._api.post(thread, text_message(redact_text(exc.message)))
                return
            except (ServiceError, SessionError) as exc:
                await self._api.post(thread, text_message(_try_later(exc)))
                return
            # Outcomes published while this turn waited belong to the turn that started
            # that work; its follower posts them.
            while not feed.empty():
                feed.get_nowait()
            if welcome is not None and reply.state == "select_source_type":
                await self._api.post(thread, reply_message(welcome))
            # A secret the agent generated is not one the person typed. It goes to the person
            # alone as an ephemeral message, which Slack does not keep in the channel.
            generated = reply.data.get("reveal_once")
            if generated:
                await self._api.ephemeral(thread, owner, _REVEAL.format(secret=generated))
            # The engine says when a typed message carried a secret: it is in the vault now,
            # but Slack keeps the message in the channel.
            if message is not None and not generated and reply.secret_received:
                log.warning("slack_secret_typed_in_channel")
                await self._api.post(thread, text_message(ROTATE_WARNING))
            await self._api.post(thread, reply_message(reply, chose=chose))
            await self._follow(thread, session_id, feed, reply)

    async def _follow(
        self,
        thread: ThreadKey,
        session_id: str,
        feed: asyncio.Queue[dict[str, Any]],
        reply: Reply,
    ) -> None:
        """Post the outcomes of the background work ``reply`` started, until it is done."""
        deadline = asyncio.get_running_loop().time() + self._follow_timeout
        while reply.data.get("task"):
            try:
                event = await asyncio.wait_for(feed.get(), _FOLLOW_SLICE)
            except TimeoutError:
                if asyncio.get_running_loop().time() > deadline or not (
                    self._engine.tasks.running(session_id) or not feed.empty()
                ):
                    return  # cancelled, or overtaken by a newer turn
                continue
            if event.get("type") != "reply":
                continue
            reply = Reply.model_validate(event["reply"])
            await self._api.post(thread, reply_message(reply))

    # -- clicks and forms -----------------------------------------------------------------------

    async def on_click(self, click: ButtonClick) -> None:
        """A button on one of our messages: an option, "More…", or the secret form."""
        if click.thread is None or not click.user:
            return
        thread = click.thread
        record = await self._threads.get(thread)
        if record is None:
            return  # a button of a conversation long gone
        self._bind(click.team, click.user)
        if click.user != record.owner:
            await self._not_yours(thread, record, click.user)
            return
        who = self._people.identity(thread.team, click.user)
        if click.action_id.startswith(f"{OPTION_ACTION}:") and click.value:
            await self._converse(
                thread, click.user, record.session_id, message=click.value, chose=click.value
            )
        elif click.action_id == MORE_ACTION:
            await self._more(thread, who, record.session_id, click.value)
        elif click.action_id == SECRET_ACTION:
            await self._open_form(thread, who, record.session_id, click.trigger_id)

    async def _more(self, thread: ThreadKey, who: Identity, session_id: str, value: str) -> None:
        """Post the next page of the session's current options."""
        try:
            session = await self._engine.get(who, session_id)
        except NotFoundError:
            return
        options = [str(o) for o in (session.last_reply or {}).get("options") or []]
        start = int(value) if value.isdigit() else 0
        if 0 < start < len(options):
            await self._api.post(thread, options_message(options, start))

    async def _open_form(
        self, thread: ThreadKey, who: Identity, session_id: str, trigger_id: str
    ) -> None:
        """Open the private secret form for the secret the session asks for."""
        try:
            session = await self._engine.get(who, session_id)
        except NotFoundError:
            return
        fields = self._secret_fields(session)
        if not fields:
            await self._api.post(thread, text_message("No secret is being asked for right now."))
            return
        log.info("slack_secret_form_opened", fields=[f.name for f in fields])
        await self._api.open_view(trigger_id, secret_form(fields, thread))

    @staticmethod
    def _secret_fields(session: Session) -> list[FormField]:
        """The secret fields the session's last reply still wants (``data.secret_fields``)."""
        data = (session.last_reply or {}).get("data") or {}
        return [
            FormField(name=str(f["name"]), label=str(f["label"]), required=True)
            for f in data.get("secret_fields") or []
            if isinstance(f, dict) and "name" in f and "label" in f
        ]

    async def on_submission(self, submission: SecretSubmission) -> None:
        """The secret form sent: its values reach the session as structured fields."""
        thread = submission.thread
        record = await self._threads.get(thread)
        if record is None or not submission.fields:
            return
        self._bind(submission.team, submission.user)
        if submission.user != record.owner:
            await self._not_yours(thread, record, submission.user)
            return
        # Names only: the values are secrets.
        log.info("slack_secret_form_submitted", fields=sorted(submission.fields))
        await self._converse(thread, submission.user, record.session_id, fields=submission.fields)


_REVEAL = (
    "Your signing secret, shown only to you and only this once: `{secret}`\n"
    "Store it with your receiver now; I keep only the vault's reference."
)


def _try_later(exc: ServiceError | SessionError) -> str:
    """A notice for an error; session errors' own texts are for operators, not people."""
    if isinstance(exc, PermissionDeniedError):
        return exc.message
    if isinstance(exc, SessionLimitError):
        reason = "too many conversations are open"
    elif isinstance(exc, SessionError):
        reason = "this conversation is busy"
    else:
        reason = redact_text(exc.message) or "the service is busy"
    return _TRY_LATER.format(reason=reason.rstrip("."))
