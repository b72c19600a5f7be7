"""Where pulls, jobs and pushes run: in this process, or on an arq queue in Redis.

See :mod:`connections.runner.base` for the contract and the task keys.
"""

from connections.runner.background import Background, RunnerOptions, start_background
from connections.runner.base import (
    Engines,
    Puller,
    Runner,
    job_key,
    manual_pull_key,
    push_key,
    tick_key,
)
from connections.runner.inprocess import InProcessRunner
from connections.runner.queue import DEFAULT_QUEUE, ArqRunner, build_worker, open_queue
from connections.runner.recording import RecordingRunner, Submission

__all__ = [
    "DEFAULT_QUEUE",
    "ArqRunner",
    "Background",
    "Engines",
    "InProcessRunner",
    "Puller",
    "RecordingRunner",
    "Runner",
    "RunnerOptions",
    "Submission",
    "build_worker",
    "job_key",
    "manual_pull_key",
    "open_queue",
    "push_key",
    "start_background",
    "tick_key",
]
