"""Process-wide memory settings, applied once at start (``python -m bot``)."""

from __future__ import annotations

import ctypes
import ctypes.util

_M_ARENA_MAX = -8  # glibc's malloc.h
ARENAS = 2


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Let glibc keep at most ``arenas`` malloc arenas; False where that can't be set.

    glibc gives threads that contend for malloc arenas of their own, up to 8 per core,
    and memory freed in one is not reused by another: the calendar sync's threads and
    the dispatcher's senders left 10-15 MB per process in them
    (bench/calendar_sync.py). The same as MALLOC_ARENA_MAX=2, which a platform may not
    let one set before Python starts.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.mallopt(_M_ARENA_MAX, arenas) == 1
    except (OSError, AttributeError):  # not glibc (musl, macOS): left as it is
        return False
