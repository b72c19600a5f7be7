"""The web chat widget: a page served by the service, embeddable with one script tag."""

from api.web.cors import normalize_origin
from api.web.identity import LOCAL_IDENTITY, IdentityHint, identity_hint, is_local_development
from api.web.routes import CONTENT_SECURITY_POLICY, IDENTITY_PATH, install_widget

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "IDENTITY_PATH",
    "LOCAL_IDENTITY",
    "IdentityHint",
    "identity_hint",
    "install_widget",
    "is_local_development",
    "normalize_origin",
]
