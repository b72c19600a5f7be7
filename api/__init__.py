"""The faces: the aiohttp app, REST routes, and the command line."""

from api.app import create_app
from api.settings import Settings

__all__ = ["Settings", "create_app"]
