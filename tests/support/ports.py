"""Free loopback ports for servers started by tests: the demo's helpers, so there is one copy."""

from __future__ import annotations

from api.demo.ports import free_port, free_port_with_twin

__all__ = ["free_port", "free_port_with_twin"]
