"""A third floor for bench/ack_latency.py: bench/bare_replies.py (the same Slack calls)
that also makes, for each request of the mix, the database round trips Voice Coach
makes for it (counted from PostgreSQL's statement log, 5 Dec 2026), and nothing else:
no ORM, no rules, no rendering. The statements go straight to the driver (psycopg, or
sqlite3), on one connection per thread, the cheapest way Python has to make them; they
touch tables of its own, rows like the app's (her row, her attempts, which grow with
every logged meeting).

* ``/voice progress``: her row, her attempts (no transaction);
* a button: her row locked, the check-in's and her row's updates, the plan's read, in a
  transaction;
* the Home tab: the event's delivery recorded (a transaction of its own), then her row
  and her attempts;
* the "Log a meeting" modal: her row locked, the attempt inserted, her attempts, the
  pool's ratings, one rating updated, two celebrations inserted, her pauses, in a
  transaction; then her buddy, her row and her attempts (her Home tab again).

Voice Coach's CPU per request over this app's is what its ORM, rules and Block Kit add
to the round trips it has to make; this app's over bench/bare_bolt.py's is what a plain
Bolt app spends making them, in Bolt's listener threads side by side (under load on
PostgreSQL those threads pass the GIL back and forth at every socket wait, which Voice
Coach's CPU slots avoid: bot/slack/slots.py).

    gunicorn 'bench.bare_store:make_app()'   # DATABASE_URL: SQLAlchemy's form, as the app's
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator

import psycopg

from bench.bare_replies import make_app as make_bare_replies

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS floor_person (id TEXT PRIMARY KEY, n INTEGER, challenge TEXT)",
    "CREATE TABLE IF NOT EXISTS floor_row (id {serial} PRIMARY KEY, person TEXT, kind TEXT,"
    " n INTEGER, note TEXT, at {timestamp} DEFAULT CURRENT_TIMESTAMP)",
    "CREATE INDEX IF NOT EXISTS floor_row_person ON floor_row (person, kind)",
    "CREATE TABLE IF NOT EXISTS floor_rating (challenge TEXT PRIMARY KEY, n INTEGER)",
    "CREATE TABLE IF NOT EXISTS floor_delivery (key TEXT PRIMARY KEY)",
]
PERSON = "SELECT id, n, challenge FROM floor_person WHERE id = %s"
HERS = "SELECT id, kind, n, note, at FROM floor_row WHERE person = %s AND kind = %s ORDER BY id"
ADD = "INSERT INTO floor_row (person, kind, n, note) VALUES (%s, %s, 1, 'Asked my question')"
TOUCH = "UPDATE floor_person SET n = n + 1, challenge = %s WHERE id = %s"
TOUCH_ROW = "UPDATE floor_row SET n = n + 1 WHERE person = %s AND kind = 'checkin'"
RATINGS = "SELECT challenge, n FROM floor_rating"
RATE = (
    "INSERT INTO floor_rating (challenge, n) VALUES (%s, 1) "
    "ON CONFLICT (challenge) DO UPDATE SET n = floor_rating.n + 1"
)
DELIVERED = "INSERT INTO floor_delivery (key) VALUES (%s) ON CONFLICT DO NOTHING"
NEW_PERSON = (
    "INSERT INTO floor_person (id, n, challenge) VALUES (%s, 0, 'c1') ON CONFLICT DO NOTHING"
)


class Store:
    """The round trips, per kind of request, on this thread's connection."""

    def __init__(self, database_url: str):
        self._postgres = not database_url.startswith("sqlite")
        self._url = database_url
        self._local = threading.local()
        self._people: set[str] = set()
        self._sql: dict[str, str] = {}  # each statement in the driver's own form, once
        self._locked_person = PERSON + (" FOR UPDATE" if self._postgres else "")
        with self._transaction() as run:
            serial, timestamp = (
                ("SERIAL", "TIMESTAMPTZ") if self._postgres else ("INTEGER", "TIMESTAMP")
            )
            for statement in SCHEMA:
                run(statement.format(serial=serial, timestamp=timestamp))

    def progress(self, user: str) -> None:
        self._known(user)
        run = self._run
        run(PERSON, user)
        run(HERS, user, "attempt")

    def click(self, user: str) -> None:
        self._known(user)
        with self._transaction() as run:
            run(self._locked_person, user)
            run(TOUCH_ROW, user)
            run(TOUCH, "c2", user)
            run(HERS, user, "plan")

    def home(self, user: str, event_id: str) -> None:
        with self._transaction() as run:
            run(DELIVERED, event_id)
        self.progress(user)

    def log(self, user: str) -> None:
        self._known(user)
        with self._transaction() as run:
            run(self._locked_person, user)
            run(ADD, user, "attempt")
            run(HERS, user, "attempt")
            run(RATINGS)
            run(RATE, "c1")
            run(ADD, user, "win")
            run(ADD, user, "first win")
            run(HERS, user, "pause")
        self._run(HERS, user, "buddy")
        self.progress(user)

    # -- the driver ------------------------------------------------------------------------

    def _known(self, user: str) -> None:
        if user not in self._people:  # her row, once (Voice Coach's is made at /voice start)
            with self._transaction() as run:
                run(NEW_PERSON, user)
            self._people.add(user)

    def _connection(self):
        connection = getattr(self._local, "connection", None)
        if connection is None:
            if self._postgres:
                url = self._url.replace("postgresql+psycopg://", "postgresql://", 1)
                connection = psycopg.connect(url, autocommit=True)
            else:
                connection = sqlite3.connect(
                    self._url.removeprefix("sqlite:///"),
                    isolation_level=None,
                    check_same_thread=False,
                    timeout=30,
                )
                connection.execute("PRAGMA journal_mode=WAL")
            self._local.connection = connection
        return connection

    def _run(self, statement: str, *params) -> list:
        sql = self._sql.get(statement)
        if sql is None:  # sqlite3 takes "?" where psycopg takes "%s"
            sql = self._sql[statement] = (
                statement if self._postgres else statement.replace("%s", "?")
            )
        cursor = self._connection().execute(sql, params)
        return cursor.fetchall() if cursor.description else []

    @contextlib.contextmanager
    def _transaction(self) -> Iterator:
        self._run("BEGIN" if self._postgres else "BEGIN IMMEDIATE")
        try:
            yield self._run
        except BaseException:
            self._run("ROLLBACK")
            raise
        self._run("COMMIT")


def make_app():
    """The WSGI app (gunicorn's ``bench.bare_store:make_app()``)."""
    return make_bare_replies(Store(os.environ["DATABASE_URL"]))
