"""Master keys: from the environment or a 0600 key file, several at once for rotation."""

from __future__ import annotations

import base64
import os
import re
import stat
from pathlib import Path

import pytest

from connections.vault import ENV_VAR, KEY_FILE_NAME, Keyring, VaultError, generate_key, key_id
from connections.vault.keys import encode_key, write_key_file


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_key_file_is_created_with_mode_0600_in_a_new_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "data" / "nested"
    previous = os.umask(0)  # the file must be private whatever the umask says
    try:
        keyring = Keyring.load(data_dir=data_dir, env_value=None)
    finally:
        os.umask(previous)
    key_file = data_dir / KEY_FILE_NAME
    assert keyring.path == key_file
    assert _mode(key_file) == 0o600
    assert len(keyring.ids()) == 1
    assert re.fullmatch(r"[0-9a-f]{16}", keyring.active_id)
    assert [p.name for p in data_dir.iterdir()] == [KEY_FILE_NAME]  # no temp file left behind


def test_key_file_is_reused_on_the_next_start(tmp_path: Path) -> None:
    first = Keyring.load(data_dir=tmp_path, env_value=None)
    second = Keyring.load(data_dir=tmp_path, env_value=None)
    assert second.ids() == first.ids()
    assert second.key(second.active_id) == first.key(first.active_id)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o620], ids=oct)
def test_key_file_accessible_to_others_is_refused(tmp_path: Path, mode: int) -> None:
    key_file = tmp_path / KEY_FILE_NAME
    write_key_file(key_file, [generate_key()])
    key_file.chmod(mode)
    with pytest.raises(VaultError, match="chmod 600") as raised:
        Keyring.load(data_dir=tmp_path, env_value=None)
    assert str(key_file) in raised.value.message


def test_env_key_wins_over_the_key_file(tmp_path: Path) -> None:
    write_key_file(tmp_path / KEY_FILE_NAME, [generate_key()])
    env_key = generate_key()
    keyring = Keyring.load(data_dir=tmp_path, env_value=encode_key(env_key))
    assert keyring.ids() == (key_id(env_key),)
    assert keyring.key(key_id(env_key)) == env_key
    assert keyring.path is None


def test_env_key_creates_no_key_file(tmp_path: Path) -> None:
    Keyring.load(data_dir=tmp_path / "data", env_value=encode_key(generate_key()))
    assert not (tmp_path / "data").exists()


def test_blank_env_value_falls_back_to_the_key_file(tmp_path: Path) -> None:
    keyring = Keyring.load(data_dir=tmp_path, env_value="  ")
    assert keyring.path == tmp_path / KEY_FILE_NAME


def test_several_env_keys_keep_their_order_and_the_first_is_active(tmp_path: Path) -> None:
    keys = [generate_key() for _ in range(3)]
    env_value = " , ".join(encode_key(k) for k in keys)
    keyring = Keyring.load(data_dir=tmp_path, env_value=env_value)
    assert keyring.ids() == tuple(key_id(k) for k in keys)
    assert keyring.active_id == key_id(keys[0])
    assert keyring.active_key == keys[0]


def test_env_key_without_padding_is_accepted(tmp_path: Path) -> None:
    key = generate_key()
    keyring = Keyring.load(data_dir=tmp_path, env_value=encode_key(key).rstrip("="))
    assert keyring.active_key == key


BAD_KEYS = [
    pytest.param(base64.urlsafe_b64encode(b"k" * 16).decode(), id="16-bytes"),
    pytest.param(base64.urlsafe_b64encode(b"k" * 48).decode(), id="48-bytes"),
    pytest.param("correct horse battery staple!", id="not-base64"),
    pytest.param("plain-text-password-123", id="password-like"),
]


@pytest.mark.parametrize("bad", BAD_KEYS)
def test_invalid_env_key_is_refused_without_showing_it(tmp_path: Path, bad: str) -> None:
    good = encode_key(generate_key())
    with pytest.raises(VaultError) as raised:
        Keyring.load(data_dir=tmp_path, env_value=f"{good},{bad}")
    error = raised.value
    assert ENV_VAR in error.message
    assert "key 2" in error.message
    for text in (str(error), repr(error), error.message):
        assert bad not in text
        assert good not in text
    assert error.__cause__ is None
    assert error.__context__ is None
    assert error.code == "vault_error"


def test_invalid_key_file_is_refused_without_showing_it(tmp_path: Path) -> None:
    key_file = tmp_path / KEY_FILE_NAME
    key_file.write_text("not-a-key-at-all\n")
    key_file.chmod(0o600)
    with pytest.raises(VaultError, match="key 1 is not") as raised:
        Keyring.load(data_dir=tmp_path, env_value=None)
    assert "not-a-key-at-all" not in str(raised.value)


def test_unknown_key_id_is_a_vault_error() -> None:
    keyring = Keyring([generate_key()])
    with pytest.raises(VaultError, match="0123456789abcdef"):
        keyring.key("0123456789abcdef")


def test_repr_shows_ids_but_no_key_material() -> None:
    key = generate_key()
    text = repr(Keyring([key]))
    assert key_id(key) in text
    assert encode_key(key) not in text
    assert repr(key) not in text


def test_key_file_rewrite_is_0600_and_keeps_order(tmp_path: Path) -> None:
    key_file = tmp_path / KEY_FILE_NAME
    keys = [generate_key(), generate_key()]
    write_key_file(key_file, keys)
    assert _mode(key_file) == 0o600
    assert key_file.read_text().splitlines() == [encode_key(k) for k in keys]
    assert Keyring.load(data_dir=tmp_path, env_value=None).keys() == tuple(keys)


def test_a_key_listed_twice_keeps_the_entry_where_it_first_appears(tmp_path: Path) -> None:
    first, second = generate_key(), generate_key()
    write_key_file(tmp_path / KEY_FILE_NAME, [first, first, second])

    keyring = Keyring.load(data_dir=tmp_path, env_value=None)

    assert keyring.location(key_id(first)) == f"{tmp_path / KEY_FILE_NAME} entry 1"
    assert keyring.location(key_id(second)) == f"{tmp_path / KEY_FILE_NAME} entry 3"


def test_looking_at_keys_creates_no_key_file(tmp_path: Path) -> None:
    with pytest.raises(VaultError, match="does not exist") as raised:
        Keyring.load(data_dir=tmp_path, env_value=None, create=False)

    assert ENV_VAR in raised.value.message
    assert not (tmp_path / KEY_FILE_NAME).exists()


def test_without_drops_one_inactive_key_and_never_the_active_one() -> None:
    active, old = generate_key(), generate_key()
    keyring = Keyring([active, old])

    assert keyring.without(key_id(old)).ids() == (key_id(active),)
    with pytest.raises(VaultError, match="active key"):
        keyring.without(key_id(active))
