"""Public fields of a secret (a user name, an access key id): kept, but never redacted.

A secret holds a whole login. Registering its user name for redaction would cut
``postgres`` out of every later log line that mentions ``postgresql+psycopg``, so only the
values of secret fields are registered; rows written before the vault recorded public
fields keep registering every value.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connections.db.models import SecretRow
from connections.vault import Keyring, Vault, generate_key, mask_secret, rotate
from connections.vault.cipher import associated_data, encrypt
from core.ids import new_id
from core.redaction import REDACTED, redact_text
from core.redaction import registry as redaction_registry
from tests.connections.vault.conftest import TENANT, USER, canary

USERNAME = "postgres"
PUBLIC = frozenset({"username"})


@pytest.fixture(autouse=True)
def _empty_registry() -> None:
    """Nothing registered when a test starts (``tests/conftest.py`` restores it after)."""
    redaction_registry.clear()


def registered(value: str) -> bool:
    """Whether ``value`` is registered for redaction."""
    return value in redaction_registry


def login() -> dict[str, str]:
    return {"username": USERNAME, "password": canary("password")}


def written_by_hand(
    keyring: Keyring, values: dict[str, str], fields: dict[str, object]
) -> SecretRow:
    """A row encrypted without the vault, so that only opening it can register anything."""
    row = SecretRow(
        id=new_id("sec"),
        tenant_id=TENANT,
        key_id=keyring.active_id,
        mask=mask_secret(values["password"]),
        fields=fields,
        staged=False,
        created_by=USER,
    )
    row.nonce, row.ciphertext = encrypt(
        keyring.active_key, json.dumps(values).encode(), associated_data(TENANT, row.id)
    )
    return row


@pytest.mark.parametrize("how", ["store", "stage"])
async def test_storing_a_login_registers_the_password_not_the_user_name(
    db: AsyncSession, vault: Vault, how: str
) -> None:
    values = login()
    keep = vault.store if how == "store" else vault.stage

    row = await keep(
        db, tenant_id=TENANT, user_id=USER, values=values, primary="password", public=PUBLIC
    )

    assert row.fields == {
        "names": ["password", "username"],
        "primary": "password",
        "public": ["username"],
    }
    assert registered(values["password"])
    assert not registered(USERNAME)


async def test_revealing_a_login_registers_the_password_not_the_user_name(
    db: AsyncSession, vault: Vault
) -> None:
    values = login()
    row = await vault.store(db, tenant_id=TENANT, user_id=USER, values=values, public=PUBLIC)
    db.expunge_all()  # read back from the database, not from the session
    redaction_registry.clear()

    assert await vault.reveal(db, TENANT, row.id) == values

    assert registered(values["password"])
    assert not registered(USERNAME)


async def test_a_row_without_a_public_list_registers_every_value(
    db: AsyncSession, vault: Vault, keyring: Keyring
) -> None:
    values = login()
    # As the vault wrote rows before it recorded public fields.
    fields: dict[str, object] = {"names": ["password", "username"], "primary": "password"}
    row = written_by_hand(keyring, values, fields)
    db.add(row)
    await db.flush()

    assert await vault.reveal(db, TENANT, row.id) == values

    assert registered(values["password"])
    assert registered(USERNAME)


async def test_without_public_fields_every_value_is_registered(
    db: AsyncSession, vault: Vault
) -> None:
    values = login()

    row = await vault.store(db, tenant_id=TENANT, user_id=USER, values=values)

    assert row.fields["public"] == []
    assert registered(values["password"])
    assert registered(USERNAME)


async def test_only_public_fields_the_secret_holds_are_recorded(
    db: AsyncSession, vault: Vault
) -> None:
    password = canary("password")

    row = await vault.stage(
        db,
        tenant_id=TENANT,
        user_id=USER,
        values={"password": password},
        public=frozenset({"username", "access_key_id"}),
    )

    assert row.fields["public"] == []
    assert registered(password)


async def test_a_public_value_is_still_encrypted(db: AsyncSession, vault: Vault) -> None:
    username = canary("username")  # unlike "postgres", found nowhere else in a row
    values = {"username": username, "password": canary("password")}

    row = await vault.store(db, tenant_id=TENANT, user_id=USER, values=values, public=PUBLIC)

    (database_row,) = (await db.execute(select(SecretRow.__table__))).all()
    for column in database_row:
        cell = column if isinstance(column, bytes) else str(column).encode()
        assert username.encode() not in cell
    assert await vault.reveal(db, TENANT, row.id) == values


async def test_merge_adding_a_user_name_to_a_staged_password_keeps_it_public(
    db: AsyncSession, vault: Vault
) -> None:
    # The chat's way: the password is staged as it is typed, the user name comes at create.
    password = canary("password")
    row = await vault.stage(
        db, tenant_id=TENANT, user_id=USER, values={"password": password}, public=PUBLIC
    )

    await vault.merge(db, TENANT, row.id, {"username": USERNAME}, public=PUBLIC)

    assert row.fields["public"] == ["username"]
    assert await vault.reveal(db, TENANT, row.id) == {"username": USERNAME, "password": password}
    assert not registered(USERNAME)


async def test_merge_without_public_fields_keeps_those_recorded(
    db: AsyncSession, vault: Vault
) -> None:
    row = await vault.store(db, tenant_id=TENANT, user_id=USER, values=login(), public=PUBLIC)
    replacement = canary("rotated")

    await vault.merge(db, TENANT, row.id, {"password": replacement})

    assert row.fields["public"] == ["username"]
    assert registered(replacement)
    assert not registered(USERNAME)


async def test_merge_with_other_public_fields_replaces_them(db: AsyncSession, vault: Vault) -> None:
    row = await vault.store(db, tenant_id=TENANT, user_id=USER, values=login(), public=PUBLIC)
    redaction_registry.clear()

    await vault.merge(db, TENANT, row.id, {}, public=frozenset())

    assert row.fields["public"] == []
    assert registered(USERNAME)


async def test_rotation_keeps_the_public_list(
    db: AsyncSession, vault: Vault, keyring: Keyring
) -> None:
    values = login()
    with_public = await vault.store(
        db, tenant_id=TENANT, user_id=USER, values=values, public=PUBLIC
    )
    legacy_user = canary("legacy-user")
    legacy_values = {"username": legacy_user, "password": canary("legacy-password")}
    legacy = written_by_hand(keyring, legacy_values, {"names": ["password", "username"]})
    db.add(legacy)
    await db.commit()
    rotating = Vault(keyring.with_active(generate_key()))
    redaction_registry.clear()

    report = await rotate(rotating, db)

    assert report.reencrypted == 2
    db.expunge_all()
    rows = {
        row.id: row
        for row in await db.scalars(
            select(SecretRow).where(SecretRow.id.in_([with_public.id, legacy.id]))
        )
    }
    assert {row.key_id for row in rows.values()} == {report.active_key_id}
    assert rows[with_public.id].fields["public"] == ["username"]
    assert registered(values["password"])
    assert not registered(USERNAME)
    # A row from before public fields stays all secret.
    assert rows[legacy.id].fields["public"] == []
    assert registered(legacy_user)


async def test_a_log_line_naming_the_user_is_not_redacted_but_one_with_the_password_is(
    db: AsyncSession, vault: Vault
) -> None:
    values = login()
    row = await vault.store(db, tenant_id=TENANT, user_id=USER, values=values, public=PUBLIC)
    await vault.reveal(db, TENANT, row.id)
    driver = "connecting with postgresql+psycopg as postgres"

    assert redact_text(driver) == driver
    assert redact_text(f"login failed for {values['password']}") == f"login failed for {REDACTED}"
