"""Pushes: completed jobs' results delivered to the agent's sinks, one sync each."""

from connections.push.engine import PUSH_ACTOR, PUSH_DIRECTION, PushEngine, PushSubmitter
from connections.push.sinks import auto_push, auto_push_sinks, retries, sink_format, target

__all__ = [
    "PUSH_ACTOR",
    "PUSH_DIRECTION",
    "PushEngine",
    "PushSubmitter",
    "auto_push",
    "auto_push_sinks",
    "retries",
    "sink_format",
    "target",
]
