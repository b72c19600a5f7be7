"""The connection guard: every connection to a customer-given host passes through here.

A customer can type any host into a connector config, so without a guard a connection could
be aimed at our own infrastructure: the cloud metadata service, a database on the private
network, an admin port on loopback. The guard resolves the name, refuses every address that
is not plainly public (also IPv6 forms that wrap a refused IPv4 address, and unusual IPv4
spellings), and then connects to the very address it checked, so a second DNS answer cannot
swap in another one (DNS rebinding). The host name is kept for the ``Host`` header and for
TLS, so the certificate is still verified against the name.

Operators open holes with ``INGESTION_AGENT_ALLOWED_NETWORKS`` (comma-separated CIDRs, read
by :meth:`NetworkPolicy.from_string`); tests use it to reach servers on loopback.

httpx clients get all of this from :func:`guarded_client`. Client libraries that cannot be
told which address to connect to (boto3 signs the Host header; PyMySQL wraps TLS itself)
call :meth:`NetworkPolicy.resolve_sync` right before connecting instead, and say so in a
comment: their own second lookup leaves a short window for rebinding.

Modules:
    addresses: Which addresses are refused, and what wrapped or oddly spelled ones mean.
    policy: :class:`NetworkPolicy`, the allow-list, resolving and checking hosts and URLs.
    transport: The pinned httpx transport and client.
"""

from connectors.guard.addresses import IPAddress, IPNetwork
from connectors.guard.policy import NetworkPolicy
from connectors.guard.transport import guarded_client, guarded_transport

__all__ = ["IPAddress", "IPNetwork", "NetworkPolicy", "guarded_client", "guarded_transport"]
