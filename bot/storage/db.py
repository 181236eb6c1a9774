"""The unit of work: one session per service call, committed on success."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.storage.engine import database_answers


class Database:
    def __init__(self, engine: Engine):
        self.engine = engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, *, write_lock: bool = False) -> Iterator[Session]:
        """A session committed when the block ends, rolled back if it raises.

        ``write_lock`` takes SQLite's write lock at BEGIN, for a transaction that
        reads and then writes (a claim); PostgreSQL locks rows instead.
        """
        bind = self.engine
        if write_lock and self.dialect == "sqlite":
            bind = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        with Session(bind, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def answers(self) -> bool:
        return database_answers(self.engine)

    def dispose(self) -> None:
        """Drop pooled connections, e.g. in a process that was just forked."""
        self.engine.dispose(close=False)
