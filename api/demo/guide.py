"""What the demo prints once everything runs: where things are and exactly what to type.

The chat lines are the ones the conversation tests drive; the REST lines use the identity
``ingestion-agent chat`` uses by default, so the sources created in the chat are the ones
they list. A step this build cannot do yet is said to be not there yet, never pretended.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["READY_LINE", "DemoGuide"]

READY_LINE = "Demo ready. Press Ctrl-C to stop everything."
_PASTE = "    "


@dataclass(frozen=True)
class DemoGuide:
    """Everything the instructions mention.

    Attributes:
        service_url: The service's base URL.
        web_chat: Whether the web chat widget is served at ``/``.
        pull_available: Whether ``POST …/data-sources/{sid}/pull`` exists in this build.
        s3_endpoint: The SeaweedFS S3 endpoint.
        bucket: The demo bucket.
        prefix: Where the sample files are in it.
        files: The sample files' keys.
        access_key_id: The read-only key id for the chat.
        secret_access_key: Its secret (the demo's own, throw-away).
        webhook_url: The local receiver's URL.
        signing_secret: The secret the receiver verifies deliveries with.
        data_dir: Where the demo's data and logs are.
        tenant: The chat's default tenant.
        user: The chat's default user id.
        program: How to run ``ingestion-agent`` from the current folder
            (:func:`api.demo.command.console_script`).
    """

    service_url: str
    web_chat: bool
    pull_available: bool
    s3_endpoint: str
    bucket: str
    prefix: str
    files: list[str]
    access_key_id: str
    secret_access_key: str = field(repr=False)
    webhook_url: str = ""
    signing_secret: str = field(default="", repr=False)
    data_dir: str = ""
    tenant: str = "local"
    user: str = "local-user"
    program: str = "ingestion-agent"

    def s3_lines(self) -> list[str]:
        """What to type to create the S3 source (``#`` lines are notes, not input)."""
        return [
            f"s3://{self.bucket}/{self.prefix}",
            f"endpoint {self.s3_endpoint}, key id {self.access_key_id}",
            "# the secret access key, at the hidden prompt:",
            self.secret_access_key,
            "all",
            "every 6 hours",
            "yes",
        ]

    def sink_lines(self) -> list[str]:
        """What to type to create the webhook sink."""
        return [
            "send results to a webhook",
            self.webhook_url,
            "# the signing secret, at the hidden prompt (the receiver verifies with it):",
            self.signing_secret,
            "yes",
            "yes",
        ]

    def _headers(self) -> str:
        return (
            f"-H 'X-Tenant-Id: {self.tenant}' -H 'X-User-ID: {self.user}' "
            "-H 'X-User-Roles: ROLE_DATA_ENGINEER'"
        )

    def rest_lines(self) -> list[str]:
        """Shell lines that pull the source and show its sync history and jobs."""
        base = f"{self.service_url}/api/v1/agents"
        sources = "$AGENT/data-sources/$SOURCE"
        pick_id = "python3 -c 'import json, sys; print(json.load(sys.stdin)[\"id\"])'"
        return [
            f"AGENT=$(curl -s {base}/default {self._headers()} | {pick_id})",
            'SOURCE=src_...   # the id in the chat\'s "Done." message',
            f"curl -s -X POST {base}/{sources}/pull {self._headers()}",
            f"curl -s {base}/{sources}/syncs {self._headers()}",
            f"curl -s {base}/$AGENT/jobs {self._headers()}",
        ]

    def text(self) -> str:
        """The whole guide, ending with :data:`READY_LINE`."""
        web = f"{self.service_url}/" if self.web_chat else "not in this build yet: use the terminal"
        out = [
            "",
            f"  service            {self.service_url}",
            f"  web chat           {web}",
            f"  S3 (SeaweedFS)     {self.s3_endpoint}   bucket {self.bucket}: "
            f"{len(self.files)} CSV files under {self.prefix}",
            f"  webhook receiver   {self.webhook_url}",
            f"  data and logs      {self.data_dir}",
            "",
            "1. Start a chat in another terminal"
            + (" (or open the web chat above):" if self.web_chat else ":"),
            "",
            f"{_PASTE}{self.program} chat --url {self.service_url}",
            "",
            "2. Connect the webhook sink first: type each line at the chat's prompt.",
            "",
            *(_PASTE + line for line in self.sink_lines()),
            "",
            "3. Then connect the S3 source in a new chat (type quit, start it again). Its first",
            "   pull starts at once: each file becomes a job, and each job's result is pushed to",
            "   the webhook sink (you said yes to pushing automatically): watch the `webhook ←`",
            "   lines below.",
            "",
            *(_PASTE + line for line in self.s3_lines()),
            "",
            *self._sync_text(),
            "",
            "Deliveries that reach the webhook receiver show up below as `webhook ←` lines.",
            READY_LINE,
            "",
        ]
        return "\n".join(out)

    def _sync_text(self) -> list[str]:
        rest = [_PASTE + line for line in self.rest_lines()]
        if self.pull_available:
            return [
                "4. Pull the source again over REST (it takes only files added since), and see",
                "   its sync history and the jobs it made:",
                "",
                *rest,
            ]
        return [
            "4. Pulling and pushing come with the sync engine, which is not in this build yet.",
            "   Once it is, these lines pull the source now and show its syncs and jobs",
            "   (today they answer 404):",
            "",
            *rest,
        ]
