"""What every benchmark needs: fresh databases, the app as a real process, its costs.

PostgreSQL: a fresh database is created (and dropped afterwards) on the server of
``--postgres URL``, else $TEST_DATABASE_URL, else the role ``.ci/run`` creates. The
role must be allowed to create databases.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bot.playground.fakeslack.web_api import FakeSlack  # noqa: E402
from bot.storage import migrate  # noqa: E402
from bot.storage.engine import make_engine  # noqa: E402
from tests.support.app_runner import AppProcess, free_port, start_process  # noqa: E402
from tests.support.app_runner import app_env as runner_env  # noqa: E402

CI_POSTGRES = "postgresql://voice_ci:voice_ci@127.0.0.1:5432/voice_ci"


def postgres_url(given: str | None = None) -> str:
    return given or os.environ.get("TEST_DATABASE_URL") or CI_POSTGRES


def _normalised(url: str) -> str:
    return url.replace("postgres://", "postgresql+psycopg://", 1).replace(
        "postgresql://", "postgresql+psycopg://", 1
    )


@contextlib.contextmanager
def fresh_database(
    kind: str, workdir: Path, *, postgres: str | None = None, migrated: bool = True
) -> Iterator[str]:
    """A new, empty database (``sqlite`` or ``postgresql``), migrated unless told not
    to be; yields its URL."""
    if kind == "sqlite":
        url = f"sqlite:///{workdir}/bench-{uuid.uuid4().hex[:8]}.db"
        if migrated:
            _migrate(url)
        yield url
        return
    admin_url = _normalised(postgres_url(postgres))
    name = f"voice_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f"CREATE DATABASE {name}"))
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    try:
        if migrated:
            _migrate(url)
        yield url
    finally:
        with admin.connect() as c:
            c.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def _migrate(url: str) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()


def app_env(fake: FakeSlack, database_url: str, **extra: str) -> dict[str, str]:
    """The environment ``python -m bot`` gets in a benchmark: the tests', quieter."""
    return runner_env(
        fake, database_url, **{"WEB_CONCURRENCY": "1", "LOG_LEVEL": "WARNING", **extra}
    )


def start_app(fake: FakeSlack, database_url: str, workdir: Path, **extra: str) -> AppProcess:
    """``python -m bot`` (gunicorn), healthy when this returns."""
    app = start_process(app_env(fake, database_url, **extra), workdir)
    app.wait_healthy(timeout=60)
    return app


def start_bare_bolt(
    env: dict[str, str], *, threads: int = 8, app: str = "bench.bare_bolt:wsgi"
) -> tuple[subprocess.Popen, str]:
    """The floor: a Bolt app that only acks (bench/bare_bolt.py), or another ``app``,
    under the same server."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--workers",
            env.get("WEB_CONCURRENCY", "1"),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            break
        except urllib.error.HTTPError:
            break  # any HTTP answer means it is up
        except OSError:
            time.sleep(0.05)
    else:
        process.kill()
        raise SystemExit("the bare Bolt app did not come up")
    return process, url


def stop_bare_bolt(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def tree(pid: int) -> list[psutil.Process]:
    """A process and its children (gunicorn's master and workers)."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process tree so far."""
    total = 0.0
    for p in tree(pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            t = p.cpu_times()
            total += t.user + t.system
    return total


def wait_settled(
    pid: int, *, quiet: float = 0.03, window: float = 0.5, timeout: float = 30.0
) -> float:
    """Until a process tree has finished starting: under ``quiet`` seconds of CPU in
    ``window`` seconds. A worker answers /healthz before its listener process has
    imported and built the app (about 0.8 s of CPU here), which a measurement from
    /healthz would count as the work's. Returns the seconds waited."""
    started = time.monotonic()
    before = cpu_seconds(pid)
    while time.monotonic() - started < timeout:
        time.sleep(window)
        now = cpu_seconds(pid)
        if now - before < quiet:
            break
        before = now
    return time.monotonic() - started


def largest_rss(pid: int) -> int:
    """Resident bytes of the largest process in a tree, now."""
    sizes = []
    for p in tree(pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            sizes.append(p.memory_info().rss)
    return max(sizes, default=0)


def peak_rss(pid: int) -> int:
    """The largest high-water mark (VmHWM) in a process tree, in bytes (Linux)."""
    peaks = [0]
    for p in tree(pid):
        with contextlib.suppress(OSError, psutil.NoSuchProcess):
            for line in Path(f"/proc/{p.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) * 1024)
    return max(peaks)


def signed_post(url: str, body: bytes, content_type: str, verifier) -> int:
    """POST a request to the app signed as Slack signs it (``verifier``: a
    slack_sdk SignatureVerifier); returns the HTTP status."""
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": verifier.generate_signature(timestamp=timestamp, body=body),
    }
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            reply.read()
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]
