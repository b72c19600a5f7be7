"""How the agent reaches the connection service: in this process, or over HTTP."""

from connections.client.base import ConnectionClient
from connections.client.local import InProcessClient
from connections.client.remote import HttpClient, error_from_envelope

__all__ = ["ConnectionClient", "HttpClient", "InProcessClient", "error_from_envelope"]
