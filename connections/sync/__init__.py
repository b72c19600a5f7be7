"""The sync engine's pulling half: new files and rows into the inventory, with manifests.

Modules:
    engine: :class:`PullEngine`, the one entry point (``pull(source_id)``).
    file_pull: file sources (S3, webhooks), through their connector's ``FileSource``.
    extract_pull: databases and other record-reading sources, into table extracts.
    seen: the versions already taken (``seen_objects``), for the look-back rule.
    committer: reserve → store → register, in batches, so a killed pull loses nothing
        and duplicates nothing.
    ledger: the sync row's life (begin, interrupted, finish) and failure counting.
    failures, notify: pausing after repeated failures; telling the agent's channels.
    background: running requested pulls as tasks of this process.

See ``docs/sync-engine.md``.
"""

from connections.sync.committer import NewUpload, Registered, UploadCommitter
from connections.sync.engine import OnUpload, PullEngine
from connections.sync.failures import PULL_FAILED, PauseNotice
from connections.sync.ledger import INTERRUPTED
from connections.sync.manifest import EntryStatus, Outcome, SyncStatus, entry
from connections.sync.notify import SLACK_WEBHOOK, WEBHOOK, Notifier
from connections.sync.settings import PullSettings

__all__ = [
    "INTERRUPTED",
    "PULL_FAILED",
    "SLACK_WEBHOOK",
    "WEBHOOK",
    "EntryStatus",
    "NewUpload",
    "Notifier",
    "OnUpload",
    "Outcome",
    "PauseNotice",
    "PullEngine",
    "PullSettings",
    "Registered",
    "SyncStatus",
    "UploadCommitter",
    "entry",
]
