"""A pull holds the secrets it decrypts for redaction while it runs, and releases them."""

from __future__ import annotations

from mypy_boto3_s3 import S3Client

from connections.sync import PullEngine
from core.redaction import registry, secrets_owned_by
from tests.connections.sync.support import Tenant, csv_bytes, put_objects
from tests.support.seaweedfs import SeaweedS3


async def test_a_pull_releases_what_it_registered_and_only_that(
    puller: PullEngine, tenant: Tenant, seaweed: SeaweedS3, s3_admin: S3Client, bucket: str
) -> None:
    put_objects(s3_admin, bucket, {"daily/2026-05-20/booking.csv": csv_bytes(2)})
    with secrets_owned_by("ses_the_setup"):
        source_id = await tenant.add_s3_source(seaweed, bucket)
    secret = seaweed.reader.secret_access_key
    during: list[tuple[str, bool]] = []

    async def on_upload(_upload_id: str) -> None:
        owner = registry.current_owner()
        during.append((owner, secret in registry.snapshot().get(owner, {})))

    puller.on_upload = on_upload
    sync_id = await puller.pull(source_id)

    assert during == [(sync_id, True)]
    assert sync_id not in registry.owners()
    # The setup that stored the secret still holds it: a pull letting go unmasks nothing.
    assert secret in registry
    assert "ses_the_setup" in registry.owners()
