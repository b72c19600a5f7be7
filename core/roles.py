"""What a data source does: the one vocabulary connectors, the service and the chat share.

Connectors declare the roles they support, the connection service stores and serves them,
and the conversation asks for them; one enum keeps the three from drifting apart.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Role"]


class Role(StrEnum):
    """What a data source does: bring data in, or take results out."""

    INVENTORY_SOURCE = "INVENTORY_SOURCE"
    RESULTS_SINK = "RESULTS_SINK"
