"""bot.memory: the malloc arena limit that ``python -m bot`` applies at start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Threads that allocate outside the GIL (zlib does), then glibc's own report of its
# arenas ("heaps") on stdout.
PROGRAM = """
import ctypes, os, sys, threading, zlib
if sys.argv[1] == "limited":
    from bot.memory import limit_malloc_arenas
    assert limit_malloc_arenas()
data = os.urandom(1 << 18)
def work():
    for _ in range(10):
        zlib.compress(data, 1)
threads = [threading.Thread(target=work) for _ in range(16)]
for t in threads:
    t.start()
for t in threads:
    t.join()
libc = ctypes.CDLL("libc.so.6")
libc.fdopen.restype = ctypes.c_void_p
out = libc.fdopen(os.dup(1), b"w")
libc.malloc_info(0, ctypes.c_void_p(out))
libc.fflush(ctypes.c_void_p(out))
"""


def arenas(mode: str) -> int:
    report = subprocess.run(
        [sys.executable, "-c", PROGRAM, mode], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout
    return report.count("<heap nr=")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc only")
def test_threads_share_two_malloc_arenas_once_limited():
    assert arenas("limited") <= 2
    assert arenas("unlimited") > 2  # what the limit saves: an arena per busy thread


def test_python_m_bot_limits_the_arenas_before_anything_else():
    first = (ROOT / "bot" / "__main__.py").read_text().splitlines()
    calls = [line for line in first if line and not line.startswith(("from", "import", "#"))]
    assert calls[0].startswith("limit_malloc_arenas()")
