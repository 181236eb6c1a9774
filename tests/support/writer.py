"""Someone else writing: a session held open in another thread until the block ends."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import sqlalchemy as sa

from bot.storage.db import Database


@contextlib.contextmanager
def writing(db: Database, *statements) -> Iterator[None]:
    """Runs ``statements`` in a session of another thread and holds it, uncommitted, for
    the block. On SQLite that session holds the database's write lock from its BEGIN;
    on PostgreSQL, the locks its statements take (e.g. ``LOCK TABLE``)."""
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with db.session() as s:
            for statement in statements or (sa.text("SELECT 1"),):
                s.execute(statement)
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(5), "the writer could not start"
        yield
    finally:
        release.set()
        thread.join()
