"""The vault's error: a :class:`~connections.errors.ServiceError` like every other.

Tree::

    ServiceError (connections.errors)
    └── VaultError     key material is missing, malformed or unsafe; a ciphertext does not decrypt

Missing secrets are :class:`~connections.errors.NotFoundError` and bad input is
:class:`~connections.errors.ValidationError`, as elsewhere in the service.
"""

from __future__ import annotations

from connections.errors import ServiceError

__all__ = ["VaultError"]


class VaultError(ServiceError):
    """The vault cannot do its job with the keys or ciphertext it has.

    Its message names files, key ids and secret ids, never key material or plaintext, so it
    is safe to log and to show an operator.
    """

    code = "vault_error"
