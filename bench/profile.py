"""Where a running app's CPU goes: py-spy samples its processes, this sorts them.

Used by the benchmarks' ``--profile DIR``: py-spy (a sampling profiler that reads the
process from outside, so the app runs unchanged) records the app's process tree while
the load runs; each sample is then put in one category by its innermost frame that
belongs to a known library, so JSON encoding called by slack_sdk counts as JSON and a
socket read under psycopg counts as a database round trip.

    python bench/profile.py FILE     # the summary of a raw py-spy recording
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

# (category, what a frame's file path contains), innermost frame first; the first match
# wins. Order matters where one library calls another's code in its own files.
CATEGORIES = [
    ("JSON", ("(json/",)),
    ("logging", ("(logging/",)),
    ("metrics (prometheus_client)", ("(prometheus_client/",)),
    ("database driver and round trips", ("(psycopg", "(sqlite3/", "(sqlalchemy/pool/")),
    ("ORM and SQL compilation (SQLAlchemy, SQLModel)", ("(sqlalchemy/", "(sqlmodel/")),
    ("pydantic", ("(pydantic",)),
    ("Block Kit models (slack_sdk.models)", ("(slack_sdk/models/",)),
    # Before the Web API's "(urllib/": Bolt decodes every request body with it.
    ("URL encoding and decoding (urllib.parse)", ("(urllib/parse.py",)),
    (
        "Slack Web API and response_url calls",
        (
            "(slack_sdk/web/",
            "(slack_sdk/webhook/",
            "(http/client",
            "(urllib/",
            "(ssl.py",
            "(socket.py",
        ),
    ),
    ("signature check (hmac, hashlib)", ("(hmac.py", "(hashlib.py", "(slack_sdk/signature/")),
    ("Bolt's dispatch", ("(slack_bolt/",)),
    ("server (gunicorn)", ("(gunicorn/",)),
    ("the app's own code (bot/)", ("(bot/",)),
    ("scheduler (APScheduler)", ("(apscheduler/",)),
    ("threads and queues", ("(threading.py", "(queue.py", "(concurrent/futures/")),
]
# py-spy names a frame "function (path:line)", the path relative to site-packages or to
# the standard library ("json/decoder.py"), or to the working directory ("bot/web.py").


def category(stack: list[str]) -> str:
    for frame in reversed(stack):
        for name, marks in CATEGORIES:
            if any(mark in frame for mark in marks):
                return name
    return "other (stdlib, interpreter)"


def read_raw(path: Path) -> Iterator[tuple[list[str], int]]:
    """py-spy's raw (collapsed) format: ``frame;frame;…;leaf count`` per line."""
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            yield stack.split(";"), int(count)


def process_of(stack: list[str]) -> str:
    """Which of the app's processes took a sample: py-spy names each process above its
    frames ("process PID:command"), its parents first; a listener process is one that
    multiprocessing spawned."""
    names = [frame for frame in stack if frame.startswith("process ")]
    if not names:
        return "the app"
    if "multiprocessing" in names[-1]:
        return "listener processes"
    return "worker" if len(names) > 1 else "main process"


def summary(path: Path, top: int = 12) -> dict:
    """Share of samples per category, and the functions that spend the most themselves;
    the categories of each process too (a worker's and its listener processes')."""
    by_category: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    by_process: dict[str, Counter[str]] = {}
    total = 0
    for stack, count in read_raw(path):
        total += count
        kind = category(stack)
        by_category[kind] += count
        by_function[stack[-1]] += count
        by_process.setdefault(process_of(stack), Counter())[kind] += count
    share = lambda n: round(n / total, 3) if total else 0.0  # noqa: E731
    return {
        "samples": total,
        "categories": {name: share(n) for name, n in by_category.most_common()},
        "top_functions": {name: share(n) for name, n in by_function.most_common(top)},
        "processes": {
            process: {
                "share": share(sum(kinds.values())),
                "categories": {
                    name: round(n / sum(kinds.values()), 3) for name, n in kinds.most_common(6)
                },
            }
            for process, kinds in sorted(by_process.items(), key=lambda p: -sum(p[1].values()))
        },
    }


def print_summary(title: str, result: dict) -> None:
    print(f"\nprofile of {title}: {result['samples']} samples")
    for name, part in result["categories"].items():
        print(f"  {100 * part:5.1f}%  {name}")
    print("  functions spending the most themselves:")
    for name, part in result["top_functions"].items():
        print(f"  {100 * part:5.1f}%  {name}")
    if len(result["processes"]) > 1:
        for process, part in result["processes"].items():
            print(f"  {process} ({100 * part['share']:.1f}% of the samples), its most:")
            for name, share in part["categories"].items():
                print(f"    {100 * share:5.1f}%  {name}")


@contextlib.contextmanager
def recording(pid: int, path: Path, rate: int = 1000) -> Iterator[None]:
    """py-spy records the process tree under ``pid`` to ``path``: only samples holding the GIL,
    which is the CPU one worker can spend (a thread waiting on a socket or a sleep is left out)."""
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        raise SystemExit("--profile needs py-spy: pip install -e '.[test]'")
    process = subprocess.Popen(
        [
            *(spy, "record", "--pid", str(pid), "--subprocesses", "--gil", "--rate", str(rate)),
            *("--format", "raw", "--output", str(path), "--nonblocking"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield
    finally:
        # py-spy writes its file when interrupted, as on Ctrl-C.
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=60)
        if process.returncode not in (0, -signal.SIGINT) and not path.exists():
            raise RuntimeError(f"py-spy failed: {errors.decode(errors='replace')[-500:]}")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print_summary(arg, summary(Path(arg)))
