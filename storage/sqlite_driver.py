"""aiosqlite with one hand-off between threads per statement instead of four.

aiosqlite runs every sqlite3 call on the connection's own thread. SQLAlchemy's adapter
makes four such calls per statement (make a cursor, execute, fetch all, close), and each
hand-off costs about 90 µs of CPU between the two threads: more than the statement itself
on this bot's tables, and most of a status turn's database time (``bench/README.md``).

The cursor here makes its sqlite3 cursor, executes and reads every row in one call on the
connection's thread, as SQLAlchemy's adapter reads every row anyway; fetching and closing
then answer from what that call returned. A commit or rollback after reads alone, which
sqlite3 would skip, is not handed off at all. A write unit's ``BEGIN IMMEDIATE``
(``storage.db.write_transaction``) goes in the hand-off of the unit's first statement, so
it costs no hand-off of its own either. Everything else is aiosqlite's own. (So a
streamed result, ``stream()`` or ``yield_per``, is held in memory whole: this bot's
results are small, and none streams.)
``storage.db.create_engine`` passes ``connect`` to SQLAlchemy's aiosqlite dialect.
"""

from __future__ import annotations

import functools
import sqlite3
from collections import deque
from collections.abc import AsyncIterator, Callable, Generator, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

T = TypeVar("T")


def _transaction_open(connection: sqlite3.Connection | None) -> bool:
    try:
        return connection is None or connection.in_transaction
    except sqlite3.ProgrammingError:  # closed
        return True


class Connection(aiosqlite.Connection):
    # Whether sqlite3 has a transaction open, as seen on the connection's thread after its
    # last call (until a first call, or once closed: maybe).
    _in_transaction = True
    # The statement that opens the next transaction, when a write unit asked for one;
    # otherwise sqlite3 opens it itself with a DEFERRED BEGIN before the first write.
    _begin: str | None = None

    def begin_immediate(self) -> None:
        """Open the next transaction with BEGIN IMMEDIATE: the write lock before any read.

        Sent before the next statement, in the same hand-off; forgotten at the end of the
        transaction if no statement came.
        """
        self._begin = "BEGIN IMMEDIATE"

    async def _execute(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        @functools.wraps(fn)
        def call() -> T:
            try:
                return fn(*args, **kwargs)
            finally:
                self._in_transaction = _transaction_open(self._connection)

        return await super()._execute(call)  # type: ignore[no-untyped-call, no-any-return]

    async def run(self, function: Callable[[sqlite3.Connection], T]) -> T:
        """``function(sqlite3_connection)`` on the connection's thread: one hand-off."""

        begin, self._begin = self._begin, None

        def statement() -> T:
            if begin is not None and not self._conn.in_transaction:
                self._conn.execute(begin)
            return function(self._conn)

        return await self._execute(statement)

    # sqlite3 commits or rolls back only when a transaction is open, and begins one only
    # before a write: after reads alone, both are no-ops and need no hand-off.
    async def commit(self) -> None:
        self._begin = None
        if self._in_transaction:
            await super().commit()

    async def rollback(self) -> None:
        self._begin = None
        if self._in_transaction:
            await super().rollback()

    # aiosqlite's cursor() makes the sqlite3 cursor in a hand-off of its own
    def cursor(self) -> Cursor:  # type: ignore[override]
        return Cursor(self)


class Cursor:
    """What SQLAlchemy's aiosqlite adapter uses of ``aiosqlite.Cursor``."""

    arraysize = 1

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._cursor: sqlite3.Cursor | None = None
        self._rows: deque[Any] = deque()

    def __await__(self) -> Generator[Any, None, Cursor]:  # ``await connection.cursor()``
        return self
        yield  # a generator that returns at once

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    def _sqlite_cursor(self, connection: sqlite3.Connection) -> sqlite3.Cursor:
        if self._cursor is None:
            self._cursor = connection.cursor()
        return self._cursor

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> Cursor:
        values = [] if parameters is None else parameters

        def execute(connection: sqlite3.Connection) -> list[Any]:
            cursor = self._sqlite_cursor(connection)
            cursor.execute(sql, values)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []

        self._rows = deque(await self._connection.run(execute))
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> Cursor:
        def execute(connection: sqlite3.Connection) -> None:
            self._sqlite_cursor(connection).executemany(sql, parameters)  # type: ignore[arg-type]

        await self._connection.run(execute)
        self._rows = deque()
        return self

    async def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        count = self.arraysize if size is None else size
        return [self._rows.popleft() for _ in range(min(count, len(self._rows)))]

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Any]:
        while self._rows:
            yield self._rows.popleft()

    async def close(self) -> None:
        # every row was read in ``execute``, so sqlite3 has already reset the statement
        self._rows.clear()

    @property
    def description(self) -> Any:
        return self._cursor.description if self._cursor is not None else None

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount if self._cursor is not None else -1

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid if self._cursor is not None else None


def connect(database: str | Path, *, iter_chunk_size: int = 64, **kwargs: Any) -> Connection:
    """``aiosqlite.connect`` with this module's connection (SQLAlchemy awaits it)."""
    location = str(database)
    connection = Connection(lambda: sqlite3.connect(location, **kwargs), iter_chunk_size)
    connection._thread.daemon = True  # as SQLAlchemy's dialect does for aiosqlite's own
    return connection
