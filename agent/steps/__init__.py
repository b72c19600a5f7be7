"""One module per state of the conversation, and the registry the engine conducts them by.

Each :class:`Step` says what its state asks (:meth:`Step.ask`), how it answers a message
(:meth:`Step.answer`), and where the conversation stands (:attr:`Step.where`). Adding a
state, or a connector's special question, is one module here and one line in :data:`STEPS`.
"""

from __future__ import annotations

from agent.steps.base import Step
from agent.steps.configure_sync import ConfigureSync
from agent.steps.discover import DiscoverSchema
from agent.steps.done import Done
from agent.steps.gather import Gather
from agent.steps.review import Review
from agent.steps.select_streams import SelectStreams
from agent.steps.select_type import SelectType
from agent.steps.testing import Executing, Testing
from fsm import State

__all__ = ["STEPS", "Step"]

STEPS: dict[State, Step] = {
    step.state: step
    for step in (
        SelectType(),
        Gather(),
        Testing(),
        DiscoverSchema(),
        SelectStreams(),
        ConfigureSync(),
        Review(),
        Executing(),
        Done(),
    )
}
"""The step of every state a message can arrive in (``welcome`` answers at once)."""
