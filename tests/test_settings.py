import json
from pathlib import Path

import pytest

from app.settings import SCHEMA_VERSION, Settings, load_settings, save_settings, updated
from core.errors import InputError


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "settings.json") == Settings()


def test_saved_settings_load_back_identical(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    changed = updated(Settings(), "llm", temperature=0.7, max_tokens=100)
    save_settings(changed, path)
    assert load_settings(path) == changed
    assert not list(tmp_path.glob(".settings-*")), "no temporary file is left behind"


def test_bad_value_is_refused_with_the_value_quoted() -> None:
    with pytest.raises(InputError) as caught:
        updated(Settings(), "llm", temperature=7.5)
    assert "llm.temperature" in caught.value.message
    assert "7.5" in caught.value.message


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"llm": {"temprature": 0.1}}))
    with pytest.raises(InputError, match="temprature"):
        load_settings(path)


def test_settings_from_a_newer_version_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"schema_version": SCHEMA_VERSION + 1}))
    with pytest.raises(InputError, match="newer Enclave"):
        load_settings(path)


def test_corrupt_settings_file_gets_a_readable_error(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    with pytest.raises(InputError, match="Cannot read settings file"):
        load_settings(path)


def test_settings_module_reads_nothing_at_import(tmp_path: Path, monkeypatch) -> None:
    import importlib

    import app.settings

    monkeypatch.setenv("ENCLAVE_HOME", str(tmp_path / "never-created"))
    importlib.reload(app.settings)
    assert not (tmp_path / "never-created").exists()
