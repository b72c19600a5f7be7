"""``ingestion-agent demo``: the service with a local S3 server and a webhook receiver.

``samples`` makes the CSV files, ``seaweed`` runs SeaweedFS with them, ``receiver``
accepts signed deliveries, ``service`` runs ``ingestion-agent serve`` allowed to reach
loopback, ``guide`` says what to type, and ``run`` starts and stops it all.
"""

from api.demo.errors import DemoError
from api.demo.guide import READY_LINE, DemoGuide
from api.demo.options import DemoOptions, add_demo_arguments
from api.demo.receiver import WebhookReceiver, signature_matches
from api.demo.run import run_demo
from api.demo.samples import DEMO_BUCKET, DEMO_PREFIX, sample_files

__all__ = [
    "DEMO_BUCKET",
    "DEMO_PREFIX",
    "READY_LINE",
    "DemoError",
    "DemoGuide",
    "DemoOptions",
    "WebhookReceiver",
    "add_demo_arguments",
    "run_demo",
    "sample_files",
    "signature_matches",
]
