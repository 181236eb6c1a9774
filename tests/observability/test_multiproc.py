"""Where gunicorn's workers keep their metrics: chosen, emptied and removed at the right
times (the whole process is tested in tests/scenarios/test_metrics_process.py)."""

from __future__ import annotations

import os
import tempfile
from types import SimpleNamespace

import pytest

from bot.observability import multiproc
from bot.settings import SettingsError, load_settings

HTTP = {"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_SIGNING_SECRET": "s3cr3t-value"}
SOCKET = {"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_APP_TOKEN": "xapp-1-abc"}


@pytest.fixture(autouse=True)
def _environment(monkeypatch):
    # prepare() sets the variable for prometheus_client; the test process gets it back.
    monkeypatch.delenv(multiproc.ENV, raising=False)


def test_http_without_a_directory_gets_a_private_one_removed_at_exit(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    settings = multiproc.prepare(load_settings(HTTP, env_file=None))
    made = settings.metrics_dir
    assert made and os.path.dirname(made) == str(tmp_path) and os.path.isdir(made)
    assert os.environ[multiproc.ENV] == made
    hooks = multiproc.gunicorn_hooks(made)
    hooks["child_exit"](None, SimpleNamespace(pid=12345))  # nothing of its to drop
    hooks["on_exit"](None)
    assert not os.path.exists(made)


def test_the_operators_directory_is_emptied_of_metrics_only_and_kept(tmp_path):
    (tmp_path / "counter_1.db").write_bytes(b"old")
    (tmp_path / "notes.txt").write_text("hers")
    settings = multiproc.prepare(
        load_settings({**HTTP, multiproc.ENV: str(tmp_path)}, env_file=None)
    )
    assert settings.metrics_dir == str(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    multiproc.gunicorn_hooks(settings.metrics_dir)["on_exit"](None)
    assert tmp_path.is_dir()


def test_socket_mode_keeps_its_metrics_in_memory(tmp_path):
    settings = load_settings(SOCKET, env_file=None)
    assert multiproc.prepare(settings) == settings
    assert multiproc.ENV not in os.environ and multiproc.gunicorn_hooks(None) == {}


def test_a_directory_it_cannot_use_is_one_clear_line(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    with pytest.raises(SettingsError) as caught:
        multiproc.prepare(load_settings({**HTTP, multiproc.ENV: str(blocked)}, env_file=None))
    assert str(caught.value).startswith("PROMETHEUS_MULTIPROC_DIR must be a directory")
    assert "\n" not in str(caught.value)
