"""The HTTPS webhook connector (httpx): fetch a URL as a source, POST signed results as a sink.

Sources send ``OPTIONS`` to check, then fetch the URL with the auth header from the vault
and parse CSV / JSON / NDJSON / XLSX. Sinks POST the result file with Standard Webhooks
headers (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``) and bounded
retries. Redirects are never followed with credentials.
"""

from connectors.webhook.config import WebhookConfig, WebhookSecrets
from connectors.webhook.connector import WebhookConnector
from connectors.webhook.delivery import DeliveryPolicy
from connectors.webhook.signing import WebhookSigner, generate_signing_secret

__all__ = [
    "DeliveryPolicy",
    "WebhookConfig",
    "WebhookConnector",
    "WebhookSecrets",
    "WebhookSigner",
    "generate_signing_secret",
]
