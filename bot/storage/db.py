"""The unit of work: one session per service call, committed on success."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from bot.storage.engine import database_answers


class Database:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._open = threading.local()
        self._bind = (
            engine.execution_options(sqlite_begin="IMMEDIATE")
            if engine.dialect.name == "sqlite"
            else engine
        )
        # The same pool; a connection checked out here sends no BEGIN or COMMIT.
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        # ``reading``'s: on PostgreSQL the autocommit one, on SQLite the plain one, each
        # with a listener of its own that refuses writes.
        self._reader = (
            self._autocommit if engine.dialect.name == "postgresql" else engine
        ).execution_options()
        sa.event.listen(self._reader, "before_cursor_execute", _refuse_writes)

    @property
    def writer(self) -> Engine:
        """The engine for code that opens its own transactions to read and then write
        (slack_sdk's OAuth stores): on SQLite they take the write lock at BEGIN, as
        ``session`` does, so a write committed in between makes them wait, not fail."""
        return self._bind

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed when the block ends, rolled back if it raises.

        On SQLite every session takes the write lock at BEGIN (IMMEDIATE): a
        transaction that reads and then writes could otherwise fail at once with
        "database is locked" when another connection wrote in between, instead of
        waiting its turn. PostgreSQL locks rows instead.
        """
        with self._one_per_thread(), Session(self._bind, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A session's transaction (committed at the end, the same lock on SQLite) on a
        bare connection, for the dispatcher's one transaction per check-in: its statements
        need no ORM, and the session's unit of work around them cost CPU on every
        check-in (bench/dispatch.py's profile). Storage functions that take a ``Unit``
        run on either."""
        with self._one_per_thread(), self._bind.begin() as connection:
            yield connection

    @contextmanager
    def one_statement(self) -> Iterator[Connection]:
        """For writes that need no transaction around them, mostly one statement (the
        dispatcher's hand-over between two posts): on PostgreSQL each is sent alone, in
        autocommit, one round trip where BEGIN and COMMIT around it made three. At READ
        COMMITTED a lone statement gets nothing more from a transaction: it is atomic
        and sees one snapshot either way. On SQLite, where such a unit is several
        statements, a ``transaction``."""
        if self.dialect != "postgresql":
            with self.transaction() as connection:
                yield connection
            return
        with self._one_per_thread(), self._autocommit.connect() as connection:
            yield connection

    @contextmanager
    def _one_per_thread(self) -> Iterator[None]:
        if getattr(self._open, "unit", False):
            # A second one in the same thread would wait on the first one's lock.
            raise RuntimeError("a database session or transaction is already open in this thread")
        self._open.unit = True
        try:
            yield
        finally:
            self._open.unit = False

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only unit for paths that only render what they read (her progress, her
        Home tab): Core rows, not ORM objects, which cost several times more to load; and
        on SQLite no write lock (BEGIN DEFERRED), so a render never waits on a write. On
        PostgreSQL in autocommit, as ``one_statement``: a read there was BEGIN, its
        queries and ROLLBACK, each a round trip, and the transaction gave its queries
        nothing (at READ COMMITTED each statement takes its own snapshot in one too)."""
        with self._reader.connect() as connection:
            yield connection

    def answers(self) -> bool:
        return database_answers(self.engine)

    def dispose(self) -> None:
        """Drop pooled connections, e.g. in a process that was just forked."""
        self.engine.dispose(close=False)


class WriteInRead(RuntimeError):
    """An INSERT, UPDATE or DELETE in ``Database.reading``, which only renders."""


def _refuse_writes(connection, cursor, statement, parameters, context, executemany) -> None:
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        raise WriteInRead(f"a read-only unit can't write: {statement.split(maxsplit=1)[0]}")


# A unit of work as storage functions that need no ORM take it: a session, or the bare
# connection of Database.transaction.
Unit = Session | Connection


def connection_of(unit: Unit) -> Connection:
    return unit.connection() if isinstance(unit, Session) else unit


def dialect_of(unit: Unit) -> str:
    return connection_of(unit).dialect.name


def rows_by_id(unit: Unit, model, ids) -> dict[int, sa.Row]:
    """These rows of ``model``'s table by id, as plain rows in one query: for a batch
    that is only read (the dispatcher's); the rows' attributes are the model's."""
    if not ids:
        return {}
    rows = connection_of(unit).execute(_by_ids(model.__table__), {"ids": list(ids)})
    return {row.id: row for row in rows}


@cache
def _by_ids(table: sa.Table) -> sa.Select:
    return sa.select(table).where(table.c.id.in_(sa.bindparam("ids", expanding=True)))


def upsert(unit: Unit, table):
    """INSERT for this unit's database, with its ON CONFLICT clauses (both dialects
    have them, under the same names)."""
    return insert_for(dialect_of(unit), table)


def insert_for(dialect: str, table):
    """``upsert`` for a statement built once per dialect ahead of its values."""
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
