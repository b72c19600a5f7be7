"""The web chat widget: a page served by the service, embeddable with one script tag."""

from api.web.identity import LOCAL_IDENTITY, IdentityHint, identity_hint, is_local_development
from api.web.routes import CONTENT_SECURITY_POLICY, IDENTITY_PATH, install_widget
from api.web.settings import WidgetSettings, normalize_origin

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "IDENTITY_PATH",
    "LOCAL_IDENTITY",
    "IdentityHint",
    "WidgetSettings",
    "identity_hint",
    "install_widget",
    "is_local_development",
    "normalize_origin",
]
