"""Choosing streams, also from a catalog of thousands of tables.

A small catalog is listed whole (a page of :data:`PAGE_SIZE`), and a name, number, glob or
"all except …" selects. A large one is first summarised by schema; the person then pages
through it ("next", "page 3"), narrows it with a search ("orders", "public.*"), and picks
from what is shown ("1-4", "these") or from everything ("all except audit_*").

The session keeps a compact catalog (name, column count, a few column names, row estimate,
file count, cursor candidates) instead of the full one: 10,000 tables of 20 columns are
about 15 MB as discovered and about 1 MB compact, and the session is saved on every turn.
The catalog's ``key`` is a hash of what was discovered, so that going back and forth in
the chat does not discover the same thing twice (see :func:`catalog_key`).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from typing import Any

from agent import parsing
from agent.context import TurnContext
from agent.flow import FlowError, move, target_of
from agent.parsing.text import strip_quotes
from agent.prompts import render
from core.wording import plural
from fsm import Event

__all__ = [
    "LARGE",
    "PAGE_SIZE",
    "catalog_key",
    "change_cursor",
    "choose_streams",
    "compact_catalog",
    "cursor_suggestions",
    "shorten",
    "show_streams",
]

PAGE_SIZE = 20
# Above this many streams the reply summarises by schema instead of listing page 1.
LARGE = 50
_SCHEMA_OPTIONS = 4
# How close a name that matched nothing must be to a stream's to be offered in its place.
_NEAR = 0.75
_NEXT = re.compile(r"(?:next|more|next page|show more|➡|→)[.!]?", re.IGNORECASE)
_PREVIOUS = re.compile(r"(?:prev|previous|previous page|page back)[.!]?", re.IGNORECASE)
_PAGE = re.compile(r"(?:go to\s+)?page\s+(\d+)[.!]?", re.IGNORECASE)
_SEARCH = re.compile(
    r"(?:search(?:\s+for)?|find|filter(?:\s+by)?|look\s+for|show(?:\s+me)?|only\s+show)\s+(.+)",
    re.IGNORECASE,
)
_LIST_ALL = re.compile(
    r"(?:list|list them|list all|show all|show them|show the list|clear|clear (?:the )?search|"
    r"reset|everything again)[.!]?",
    re.IGNORECASE,
)
_THESE = re.compile(
    r"(?:these|those|all of these|all of those|all these|all those|all shown|all matches|"
    r"all (?:of )?the matches|the matches|them all|all (?:\d+ )?matches)[.!]?",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w.*?\[\]-]+")
_USE_CURSOR = re.compile(
    r"(?:use|track)\s+(?P<column>[\w\"`.-]+)\s+(?:as\s+(?:the\s+)?cursor\s+)?(?:for|on|in)\s+"
    r"(?P<stream>[\w\"`.-]+)[.!]?",
    re.IGNORECASE,
)
_FULL_REFRESH = re.compile(
    r"(?:no cursor|full(?:\s+refresh)?|read (?:it )?in full)\s+(?:for|on)\s+"
    r"(?P<stream>[\w\"`.-]+)[.!]?",
    re.IGNORECASE,
)


def catalog_key(parts: Mapping[str, Any]) -> str:
    """A stable hash of what a discovery depends on (type, role, config, secret reference).

    The secret's masks are part of it, so a changed long secret discovers again; a changed
    short one (masked as ``ia_****``) does not, which only matters when two credentials for
    the same database see different tables.
    """
    blob = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:32]


def compact_catalog(streams: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """What the chat keeps of each discovered stream (see the module docstring)."""
    compact = []
    for s in streams:
        columns = s.get("columns") or []
        compact.append(
            {
                "name": s["name"],
                "columns": len(columns),
                "preview": [c["name"] for c in columns[:3]],
                "rows": s.get("recordEstimate"),
                "files": s.get("fileCount"),
                "cursors": list(s.get("cursorCandidates") or [])[:3],
            }
        )
    return compact


def _streams(ctx: TurnContext) -> list[dict[str, Any]]:
    streams: list[dict[str, Any]] = (ctx.session.catalog or {}).get("streams", [])
    return streams


def _view(ctx: TurnContext) -> dict[str, Any]:
    catalog = ctx.session.catalog if ctx.session.catalog is not None else {}
    view: dict[str, Any] = catalog.setdefault("view", {"query": None, "page": 1})
    return view


def _schema_of(name: str) -> str | None:
    schema, dot, _ = name.rpartition(".")
    return schema if dot else None


def _matches(streams: list[dict[str, Any]], query: str | None) -> list[dict[str, Any]]:
    """Streams a search shows: a glob matches a name or its table part; a word is a substring."""
    if not query:
        return streams
    low = query.lower()
    if any(ch in low for ch in "*?["):
        return [
            s
            for s in streams
            if fnmatchcase(s["name"].lower(), low)
            or ("." not in low and fnmatchcase(s["name"].lower().rpartition(".")[2], low))
        ]
    return [s for s in streams if low in s["name"].lower()]


# -- showing -------------------------------------------------------------------------------


def show_streams(ctx: TurnContext, *, page: int | None = None) -> None:
    """Show the catalog: a page of it, a search's matches, or a summary by schema."""
    streams = _streams(ctx)
    if not streams:
        files = ctx.session.connector_type in {"S3", "WEBHOOK"}
        setting = {"S3": "prefix", "WEBHOOK": "URL"}.get(ctx.session.connector_type or "")
        ctx.say(
            render(
                "zero_streams",
                target=target_of(ctx),
                causes=_causes(ctx),
                files=files,
                setting=setting or ("schemas" if ctx.field("schemas") else "database"),
            )
        )
        return
    view = _view(ctx)
    if page is not None:
        view["page"] = page
    query = view.get("query")
    if len(streams) > LARGE and query is None and page is None:
        _summarise(ctx, streams)
        return
    shown_streams = _matches(streams, query)
    if not shown_streams:
        view["query"] = None
        raise FlowError(
            f'Nothing matches "{query}". Try part of a name, or a pattern like "public.*".'
        )
    pages = max(1, -(-len(shown_streams) // PAGE_SIZE))
    view["page"] = current = min(max(1, int(view.get("page") or 1)), pages)
    first = (current - 1) * PAGE_SIZE
    shown = [
        {"number": first + i + 1, "name": s["name"], "summary": _summary(s)}
        for i, s in enumerate(shown_streams[first : first + PAGE_SIZE])
    ]
    first = streams[0]["name"]
    example = f"{first.split('.', 1)[0]}.*" if "." in first else f"{first[:3]}*"
    ctx.say(
        render(
            "streams",
            total=len(shown_streams),
            of_total=len(streams) if query else None,
            query=query,
            shown=shown,
            page=current,
            pages=pages,
            pattern_example=example,
        )
    )
    options = ["All"] if not query else [f"These {len(shown_streams)}", "Clear search"]
    if current < pages:
        options.append("Next page")
    ctx.options = [*options, *[str(s["number"]) for s in shown[: 10 - len(options)]]]
    ctx.input_type = "multi_choice"


def _summarise(ctx: TurnContext, streams: list[dict[str, Any]]) -> None:
    by_schema = Counter(_schema_of(s["name"]) or "" for s in streams)
    schemas = [{"name": name, "count": count} for name, count in by_schema.most_common()]
    named = [s for s in schemas if s["name"]]
    largest = max(streams, key=lambda s: s.get("rows") or 0)
    example_word = re.split(r"[._]", largest["name"].rpartition(".")[2])[0] or "orders"
    ctx.say(
        render(
            "streams_summary",
            total=len(streams),
            schemas=named[:8],
            more_schemas=max(0, len(named) - 8),
            example_word=example_word,
            example_schema=named[0]["name"] if named else None,
        )
    )
    ctx.options = [
        "All",
        *[f"{s['name']}.*" for s in named[:_SCHEMA_OPTIONS]],
        "List them",
    ]
    ctx.input_type = "multi_choice"


def _summary(stream: dict[str, Any]) -> str:
    count = stream.get("columns") or 0
    preview = ", ".join(stream.get("preview") or [])
    more = ", …" if count > len(stream.get("preview") or []) else ""
    parts = [f"{plural(count, 'column')} ({preview}{more})" if count else "columns unknown"]
    if stream.get("files"):
        parts.append(plural(stream["files"], "file"))
    if stream.get("rows"):
        parts.append(f"~{stream['rows']:,} rows")
    return ", ".join(parts)


def _causes(ctx: TurnContext) -> list[str]:
    from agent.advice import zero_stream_causes  # noqa: PLC0415 - keep the module graph flat

    return zero_stream_causes(ctx.connector)


# -- choosing ------------------------------------------------------------------------------


def choose_streams(ctx: TurnContext, text: str) -> None:
    """Page, search, or take a selection (and move on to the schedule)."""
    streams = _streams(ctx)
    view = _view(ctx)
    said = text.strip()
    if _browse(ctx, said, view):
        return
    names = [s["name"] for s in streams]
    visible = [s["name"] for s in _matches(streams, view.get("query"))]
    if view.get("query") and _THESE.fullmatch(said):
        chosen = visible
    else:
        if len(streams) > PAGE_SIZE and _is_search(said, names):
            view["query"], view["page"] = said, 1
            show_streams(ctx, page=1)
            return
        try:
            selection = parsing.parse_stream_selection(said, names, numbered=visible)
        except parsing.SelectionError as exc:
            close = _near_misses(exc.unmatched, names)
            raise FlowError(render("errors/selection", message=str(exc), close=close)) from None
        chosen = list(selection.names)
    if not chosen:
        raise FlowError(render("errors/pick_a_stream"))
    ctx.session.selected_streams = chosen
    move(ctx, Event.STREAMS_CHOSEN)
    ctx.say(render("streams_chosen", count=len(chosen), names=shorten(chosen)))
    cursors = cursor_suggestions(ctx)
    if cursors:
        ctx.say(render("cursor_suggestions", **cursors))


def _near_misses(unmatched: tuple[str, ...], names: list[str]) -> list[str]:
    """The names a misspelt one was probably meant to be ("custmers" → customers)."""
    parts = sorted({n.rpartition(".")[2] for n in names})
    close = (
        difflib.get_close_matches(word.rpartition(".")[2], parts, n=1, cutoff=_NEAR)
        for word in unmatched
    )
    return [hits[0] for hits in close if hits]


def _browse(ctx: TurnContext, said: str, view: dict[str, Any]) -> bool:
    """Paging and searching; True when the message was one of those."""
    page = int(view.get("page") or 1)
    search = _SEARCH.fullmatch(said)
    if _NEXT.fullmatch(said):
        show_streams(ctx, page=page + 1)
    elif _PREVIOUS.fullmatch(said):
        show_streams(ctx, page=max(1, page - 1))
    elif match := _PAGE.fullmatch(said):
        show_streams(ctx, page=int(match.group(1)))
    elif _LIST_ALL.fullmatch(said):
        view["query"] = None
        show_streams(ctx, page=1)
    elif search is not None:
        view["query"], view["page"] = strip_quotes(search.group(1).strip()), 1
        show_streams(ctx, page=1)
    else:
        return False
    return True


def _is_search(said: str, names: list[str]) -> bool:
    """A single word or pattern that is not a whole stream name narrows a large catalog."""
    if not _WORD.fullmatch(said) or said.lower() in {n.lower() for n in names}:
        return False
    low = said.lower()
    return not (low in {"all", "everything", "none"} or re.fullmatch(r"[\d,\s-]+", low))


def shorten(names: list[str], limit: int = 8) -> list[str]:
    """At most ``limit`` names, then "N more"."""
    return names if len(names) <= limit else [*names[:limit], f"{len(names) - limit} more"]


def cursor_suggestions(ctx: TurnContext) -> dict[str, Any] | None:
    """Propose a cursor column for each chosen stream and keep it in ``cursor_fields``.

    ``None`` when the catalog offers no cursor candidates at all (files and endpoints
    resume by ETag and content hash instead).
    """
    chosen = set(ctx.session.selected_streams)
    picks: dict[str, str] = {}
    without: list[str] = []
    for stream in _streams(ctx):
        if stream["name"] not in chosen:
            continue
        if stream.get("cursors"):
            picks[stream["name"]] = stream["cursors"][0]
        else:
            without.append(stream["name"])
    if not picks:
        return None
    ctx.session.answers["cursor_fields"] = picks
    shown = [f"{name} → {column}" for name, column in list(picks.items())[:6]]
    return {
        "shown": shown,
        "more": max(0, len(picks) - len(shown)),
        "without": shorten(without, 4),
        "without_count": len(without),
        "example": next(iter(picks)).rpartition(".")[2],
    }


def change_cursor(ctx: TurnContext, text: str) -> bool:
    """Handle "use id for orders" or "full refresh for audit_log"; False for anything else."""
    said = text.strip()
    use = _USE_CURSOR.fullmatch(said)
    full = _FULL_REFRESH.fullmatch(said)
    if use is None and full is None:
        return False
    match = use or full
    assert match is not None  # noqa: S101 - one of the two matched
    stream = _chosen_stream(ctx, strip_quotes(match.group("stream")))
    picks: dict[str, str] = dict(ctx.session.answers.get("cursor_fields") or {})
    if use is None:
        picks.pop(stream["name"], None)
        ctx.say(f"{stream['name']} will be read in full on every sync.")
    else:
        column = strip_quotes(use.group("column"))
        candidates = stream.get("cursors") or []
        if column not in candidates:
            offered = ", ".join(candidates) or "none"
            raise FlowError(
                f"{column} isn't a column I can track in {stream['name']}: it needs a timestamp or"
                f" an increasing id. Candidates: {offered}."
            )
        picks[stream["name"]] = column
        ctx.say(f"{stream['name']} will be read incrementally by {column}.")
    ctx.session.answers["cursor_fields"] = picks
    return True


def _chosen_stream(ctx: TurnContext, name: str) -> dict[str, Any]:
    low = name.lower()
    chosen = set(ctx.session.selected_streams)
    hits = [
        s
        for s in _streams(ctx)
        if s["name"] in chosen and low in {s["name"].lower(), s["name"].lower().rpartition(".")[2]}
    ]
    if len(hits) != 1:
        what = "is not among the chosen streams" if not hits else "names more than one stream"
        raise FlowError(f'"{name}" {what}; use its full name, like "public.orders".')
    return hits[0]
