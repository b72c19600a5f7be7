"""A running process's keyring follows its key file, and survives a bad edit of it."""

from __future__ import annotations

from pathlib import Path

from structlog.testing import capture_logs

from connections.vault import KEY_FILE_NAME, Keyring, LiveKeyring, encode_key, generate_key
from connections.vault.keys import write_key_file


def test_a_rewritten_key_file_is_read_on_the_next_use(tmp_path: Path) -> None:
    live = LiveKeyring(Keyring.load(data_dir=tmp_path, env_value=None))
    first = live.current().ids()
    added = generate_key()
    write_key_file(tmp_path / KEY_FILE_NAME, [added, *live.current().keys()])

    with capture_logs() as logs:
        current = live.current()

    assert current.ids()[1:] == first
    assert current.active_key == added
    assert [e["event"] for e in logs] == ["vault_keys_reloaded"]
    assert encode_key(added) not in repr(logs)


def test_an_unchanged_key_file_is_not_read_again(tmp_path: Path) -> None:
    live = LiveKeyring(Keyring.load(data_dir=tmp_path, env_value=None))
    loaded = live.current()

    assert live.current() is loaded


def test_a_key_file_made_readable_to_others_keeps_the_loaded_keys(tmp_path: Path) -> None:
    live = LiveKeyring(Keyring.load(data_dir=tmp_path, env_value=None))
    loaded = live.current()
    key_file = tmp_path / KEY_FILE_NAME
    key_file.chmod(0o644)

    with capture_logs() as logs:
        assert live.current() is loaded
        assert live.current() is loaded  # reported once, not on every use

    assert [(e["event"], e["log_level"]) for e in logs] == [("vault_key_file_unusable", "warning")]
    assert "chmod 600" in logs[0]["reason"]


def test_a_deleted_key_file_keeps_the_loaded_keys(tmp_path: Path) -> None:
    live = LiveKeyring(Keyring.load(data_dir=tmp_path, env_value=None))
    loaded = live.current()
    (tmp_path / KEY_FILE_NAME).unlink()

    assert live.current() is loaded


def test_keys_from_the_environment_never_touch_the_disk(tmp_path: Path) -> None:
    keyring = Keyring.load(data_dir=tmp_path, env_value=encode_key(generate_key()))
    live = LiveKeyring(keyring)

    assert live.key_file is None
    assert live.refresh() is keyring
    assert not any(tmp_path.iterdir())
