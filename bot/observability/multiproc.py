"""Metrics across gunicorn's worker processes (prometheus_client's multiprocess mode).

Each worker writes its counters to files of its own in one directory, and ``/metrics``
sums every file there, so the page shows the whole app whichever worker serves it.
prometheus_client chooses how to keep values when it is first imported, from the
``PROMETHEUS_MULTIPROC_DIR`` environment variable, and reads it again for every file it
opens: the entry point calls ``prepare`` before anything imports it, and this is the one
place that writes that variable.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)

ENV = "PROMETHEUS_MULTIPROC_DIR"
_made_here: set[str] = set()  # directories this process created, removed at exit


def prepare(settings: Settings) -> Settings:
    """Settings whose ``metrics_dir`` is ready for this run, or unchanged in Socket Mode.

    HTTP (gunicorn, any number of workers): the operator's directory, else a private
    temporary one, emptied now, since an earlier run's files would be summed into this
    one's. Socket Mode is one process and keeps its metrics in memory, unless the
    operator named a directory.
    """
    path = settings.metrics_dir
    if path is None:
        if settings.socket_mode:
            return settings
        path = tempfile.mkdtemp(prefix="voice-coach-metrics-")
        _made_here.add(path)
    else:
        try:
            Path(path).mkdir(parents=True, exist_ok=True)
            wipe(path)
        except OSError as e:
            raise SettingsError(
                f"{ENV} must be a directory the app can write to; {path!r} is not "
                f"({e.strerror or e}). Point it at one, or unset it for a private one."
            ) from None
    os.environ[ENV] = path
    return replace(settings, metrics_dir=path)


def wipe(path: str) -> None:
    for file in Path(path).glob("*.db"):
        file.unlink(missing_ok=True)


def process_gone(pid: int, metrics_dir: str | None) -> None:
    """A process of the app exited: its live gauges leave the sum (its counters stay)."""
    if metrics_dir is None:
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid, metrics_dir)


def gunicorn_hooks(metrics_dir: str | None) -> dict:
    """``child_exit`` drops a dead worker's live gauges (its counters stay in the sum),
    ``on_exit`` removes a directory made here."""
    if metrics_dir is None:
        return {}

    def child_exit(_server, worker) -> None:
        process_gone(worker.pid, metrics_dir)

    def on_exit(_server) -> None:
        if metrics_dir in _made_here:
            shutil.rmtree(metrics_dir, ignore_errors=True)

    return {"child_exit": child_exit, "on_exit": on_exit}
