"""Storing, revealing and updating secrets, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connections.db.models import SecretRow
from connections.errors import NotFoundError, ValidationError
from connections.vault import Keyring, Vault, VaultError, mask_secret
from connections.vault.cipher import associated_data, encrypt
from core.ids import new_id
from core.redaction import redact_text
from tests.connections.vault.conftest import OTHER_TENANT, TENANT, USER, canary


async def test_round_trip(db: AsyncSession, vault: Vault) -> None:
    values = {"accessKeyId": "AKIAEXAMPLE", "secretAccessKey": canary()}
    row = await vault.store(db, tenant_id=TENANT, user_id=USER, values=values)
    db.expunge_all()  # read back from the database, not from the session
    assert await vault.reveal(db, TENANT, row.id) == values
    stored = await vault.get(db, TENANT, row.id)
    assert stored.id.startswith("sec_")
    assert stored.fields["names"] == ["accessKeyId", "secretAccessKey"]
    assert stored.created_by == USER
    assert not stored.staged
    assert stored.expires_at is None


async def test_ciphertext_differs_each_time(db: AsyncSession, vault: Vault) -> None:
    values = {"token": canary()}
    first = await vault.store(db, tenant_id=TENANT, user_id=USER, values=values)
    second = await vault.store(db, tenant_id=TENANT, user_id=USER, values=values)
    assert first.nonce != second.nonce
    assert first.ciphertext != second.ciphertext
    nonce, ciphertext = first.nonce, first.ciphertext
    await vault.merge(db, TENANT, first.id, values)
    assert first.nonce != nonce
    assert first.ciphertext != ciphertext


async def test_no_stored_column_holds_the_plaintext(db: AsyncSession, vault: Vault) -> None:
    value = canary()
    await vault.stage(db, tenant_id=TENANT, user_id=USER, values={"password": value})
    raw = value.encode()
    forms = [
        raw,
        base64.b64encode(raw),
        base64.urlsafe_b64encode(raw),
        base64.b64encode(raw).rstrip(b"="),
        quote(value).encode(),
        json.dumps(value).encode(),
        value[:-4].encode(),  # everything the mask does not show
    ]
    database_rows = (await db.execute(select(SecretRow.__table__))).all()
    assert len(database_rows) == 1
    for column in database_rows[0]:
        cell = column if isinstance(column, bytes) else str(column).encode()
        for form in forms:
            assert form not in cell


@pytest.mark.parametrize("move", ["other-tenant-other-id", "same-tenant-other-id", "same-id"])
async def test_ciphertext_is_bound_to_tenant_and_id(
    db: AsyncSession, vault: Vault, move: str
) -> None:
    value = canary()
    row = await vault.store(db, tenant_id=TENANT, user_id=USER, values={"password": value})
    if move == "same-id":
        # The row itself moved to another tenant: the ciphertext must not follow.
        row.tenant_id = OTHER_TENANT
        target_tenant, target_id = OTHER_TENANT, row.id
    else:
        target_tenant = OTHER_TENANT if move == "other-tenant-other-id" else TENANT
        target_id = new_id("sec")
        db.add(
            SecretRow(
                id=target_id,
                tenant_id=target_tenant,
                key_id=row.key_id,
                nonce=row.nonce,
                ciphertext=row.ciphertext,
                mask=row.mask,
                fields=dict(row.fields),
                staged=False,
                created_by="attacker",
            )
        )
    await db.flush()
    with pytest.raises(VaultError, match="does not decrypt") as raised:
        await vault.reveal(db, target_tenant, target_id)
    assert value not in str(raised.value)
    assert raised.value.__cause__ is not None
    assert type(raised.value.__cause__).__name__ == "InvalidTag"


async def test_other_tenants_secret_is_not_found(db: AsyncSession, vault: Vault) -> None:
    row = await vault.store(db, tenant_id=TENANT, user_id=USER, values={"token": canary()})
    with pytest.raises(NotFoundError):
        await vault.get(db, OTHER_TENANT, row.id)
    with pytest.raises(NotFoundError):
        await vault.reveal(db, OTHER_TENANT, row.id)
    with pytest.raises(NotFoundError):
        await vault.merge(db, OTHER_TENANT, row.id, {"token": canary()})
    with pytest.raises(NotFoundError):
        await vault.attach(db, OTHER_TENANT, row.id)
    with pytest.raises(NotFoundError):
        await vault.delete(db, OTHER_TENANT, row.id)
    assert (await vault.get(db, TENANT, row.id)).id == row.id


async def test_missing_secret_is_not_found(db: AsyncSession, vault: Vault) -> None:
    with pytest.raises(NotFoundError, match="not found"):
        await vault.get(db, TENANT, new_id("sec"))


async def test_delete(db: AsyncSession, vault: Vault) -> None:
    row = await vault.store(db, tenant_id=TENANT, user_id=USER, values={"token": canary()})
    await vault.delete(db, TENANT, row.id)
    with pytest.raises(NotFoundError):
        await vault.get(db, TENANT, row.id)


async def test_mask_shows_the_primary_field(db: AsyncSession, vault: Vault) -> None:
    secret = canary()
    values = {"accessKeyId": "AKIAIOSFODNN7EXAMPLE", "secretAccessKey": secret}
    by_default = await vault.store(db, tenant_id=TENANT, user_id=USER, values=values)
    chosen = await vault.store(
        db, tenant_id=TENANT, user_id=USER, values=values, primary="secretAccessKey"
    )
    assert by_default.mask == "ia_****MPLE"
    assert chosen.mask == f"ia_****{secret[-4:]}"


async def test_short_secret_mask_shows_nothing(db: AsyncSession, vault: Vault) -> None:
    row = await vault.store(db, tenant_id=TENANT, user_id=USER, values={"pin": "hunter2!"})
    assert row.mask == "ia_****"


async def test_merge_with_the_mask_keeps_the_stored_value(db: AsyncSession, vault: Vault) -> None:
    secret = canary()
    values = {"accessKeyId": "AKIAEXAMPLE", "secretAccessKey": secret}
    row = await vault.store(
        db, tenant_id=TENANT, user_id=USER, values=values, primary="secretAccessKey"
    )
    await vault.merge(db, TENANT, row.id, {"secretAccessKey": row.mask, "accessKeyId": ""})
    assert await vault.reveal(db, TENANT, row.id) == values
    assert row.mask == mask_secret(secret)


async def test_merge_with_a_new_value_replaces_it(db: AsyncSession, vault: Vault) -> None:
    values = {"accessKeyId": "AKIAEXAMPLE", "secretAccessKey": canary()}
    row = await vault.store(
        db, tenant_id=TENANT, user_id=USER, values=values, primary="secretAccessKey"
    )
    replacement = canary("rotated")
    await vault.merge(
        db, TENANT, row.id, {"secretAccessKey": replacement, "sessionToken": "t" * 20}
    )
    assert await vault.reveal(db, TENANT, row.id) == {
        "accessKeyId": "AKIAEXAMPLE",
        "secretAccessKey": replacement,
        "sessionToken": "t" * 20,
    }
    assert row.mask == mask_secret(replacement)  # the primary field is remembered
    assert row.fields["names"] == ["accessKeyId", "secretAccessKey", "sessionToken"]


async def test_merge_can_change_the_primary_field(db: AsyncSession, vault: Vault) -> None:
    values = {"a": canary("first"), "b": canary("second")}
    row = await vault.store(db, tenant_id=TENANT, user_id=USER, values=values)
    await vault.merge(db, TENANT, row.id, {}, primary="b")
    assert row.mask == mask_secret(values["b"])
    with pytest.raises(ValidationError) as raised:
        await vault.merge(db, TENANT, row.id, {}, primary="missing")
    assert raised.value.field == "primary"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        pytest.param({}, "secret", id="nothing"),
        pytest.param({"password": ""}, "secret", id="only-empty"),
        pytest.param({"password": "ia_****abcd"}, "password", id="a-mask"),
        pytest.param({"password": "x" * 70_000}, "secret", id="too-large"),
    ],
)
async def test_bad_values_are_refused(
    db: AsyncSession, vault: Vault, values: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        await vault.stage(db, tenant_id=TENANT, user_id=USER, values=values)
    assert raised.value.field == field
    assert (await db.execute(select(SecretRow.id))).all() == []


async def test_unknown_primary_is_refused(db: AsyncSession, vault: Vault) -> None:
    with pytest.raises(ValidationError) as raised:
        await vault.store(db, tenant_id=TENANT, user_id=USER, values={"a": canary()}, primary="b")
    assert raised.value.field == "primary"


async def test_stored_values_are_registered_for_redaction(db: AsyncSession, vault: Vault) -> None:
    value = canary("typed")
    await vault.stage(db, tenant_id=TENANT, user_id=USER, values={"password": value})
    assert value not in redact_text(f"connecting with {value}")


async def test_revealed_values_are_registered_for_redaction(
    db: AsyncSession, vault: Vault, keyring: Keyring
) -> None:
    # Written without the vault, so that only reveal can have registered the value.
    value = canary("decrypted")
    row = SecretRow(
        id=new_id("sec"),
        tenant_id=TENANT,
        key_id=keyring.active_id,
        mask=mask_secret(value),
        fields={"names": ["password"]},
        staged=False,
        created_by=USER,
    )
    row.nonce, row.ciphertext = encrypt(
        keyring.active_key,
        json.dumps({"password": value}).encode(),
        associated_data(TENANT, row.id),
    )
    db.add(row)
    await db.flush()
    assert value in redact_text(f"connecting with {value}")
    assert await vault.reveal(db, TENANT, row.id) == {"password": value}
    assert value not in redact_text(f"connecting with {value}")


async def test_secret_under_an_unknown_key_names_the_key_id(db: AsyncSession, vault: Vault) -> None:
    value = canary()
    row = await vault.store(db, tenant_id=TENANT, user_id=USER, values={"password": value})
    stranger = Vault(Keyring([b"k" * 32]))
    with pytest.raises(VaultError) as raised:
        await stranger.reveal(db, TENANT, row.id)
    assert row.key_id in raised.value.message
    assert row.id in raised.value.message
    assert value not in str(raised.value)
