"""Each journey's index record and finished page, cached by content (issue 18: an edit rebuilds in < 1 s).

The view cache (site.view_cache) spares Graphviz; what it leaves is parsing every file again for the
index and statistics, and regenerating every page. This cache keeps, per journey file:

- its **record**: the index row, search text, what the index needs of it (ids, catalog definitions and
  uses, cross-journey links) and its contribution to the statistics, as plain JSON. The key is the
  file's bytes and name, its findings, and the settings of the build (journeyctl's code, the config,
  today's date, the views, SVG on or off, the Graphviz binary and version, the shared catalogs), so an
  unchanged file is counted without being parsed;
- its **page**: a journey page also reads the rest of the workspace (a link's target, a team's name, the
  links leading into it, its cross-journey hand-offs). It reads it only through PageContext's methods;
  while the page is made the context is wrapped in a `Recorder` that notes every question asked. The
  record keeps those questions and a digest of their answers; on the next build the questions are asked
  again of the new context, and the page is reused only if every answer (and its own index row, whose
  page name can change) is the same. So an edit rewrites the edited journey's page and the pages that
  show something of it, and no other.

A page reused is not even read when the site already holds it: `SiteState` remembers the size, mtime
and digest of every page the last build into that directory wrote. Otherwise its bytes come from the
cache (compressed), or it is made again.

Storage: one SQLite file (`site-v1.sqlite3`, WAL) in the workspace cache directory beside the render
cache ($JOURNEYCTL_CACHE_DIR moves both). Values are JSON and zlib-compressed pages, never pickle; each
carries its own digest, so a damaged or truncated entry is a miss, and a damaged database is deleted
and rebuilt. Entries not used for `KEEP_DAYS` days are pruned, and the store is capped at a few times
the workspace's size; pages no record points at are dropped with them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
import zlib
from pathlib import Path
from typing import Any, Sequence

DB_NAME = "site-v1.sqlite3"
STATE_DIR = "site-state-v1"
FORMAT = 1  # bump when a record's layout changes (the code fingerprint changes anyway)
KEEP_DAYS = 7
_BUSY_MS = 2_000
_TOUCH_SECONDS = 3600


def settings_digest(config: Any, views: Sequence[str], svg: bool, catalogs: str) -> str:
    """Everything besides the file itself that a journey's record and page depend on."""
    from ..check.cache import code_fingerprint, today
    from ..render import layout

    binary = layout.dot_binary() if svg else None
    graphviz = f"{os.path.realpath(binary)}\0{layout._binary_version(binary)}" if binary else ""
    settings = {k: str(v) if isinstance(v, Path) else v for k, v in dataclasses.asdict(config).items()}
    payload = json.dumps([FORMAT, code_fingerprint(), today(), settings, list(views), svg, graphviz, catalogs],
                         sort_keys=True, default=repr)
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def file_key(settings: str, display: str, data: bytes, findings: Any) -> str:
    h = hashlib.sha256(settings.encode())
    h.update(b"\0" + display.encode("utf-8", "surrogatepass") + b"\0")
    h.update(hashlib.sha256(data).digest())
    h.update(repr(findings).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


# --------------------------------------------------------------------------------------------------
# What a page asked of the workspace


@dataclasses.dataclass(frozen=True)
class ItemView:
    """What a journey page may read of a catalog item (its 'used by' list changes with every journey)."""
    label: str
    fields: dict[str, Any]


def _ask(ctx: Any, question: Sequence[Any]) -> Any:
    """The answer as a value whose repr is stable: a set sorted, a catalog item cut to what a page reads
    (dataclasses, dicts and lists have deterministic reprs; a set's order varies between processes)."""
    name, *args = question
    answer = getattr(ctx, name)(*args)
    if name == "catalog_item":
        return None if answer is None else (answer.label, answer.fields)
    if isinstance(answer, (set, frozenset)):
        return sorted(answer)
    return answer


class Recorder:
    """A PageContext as a journey page sees it: the same answers, each question noted. It has no other
    attribute, so a page reading the context another way fails loudly instead of going stale."""

    def __init__(self, ctx: Any) -> None:
        self._ctx = ctx
        self.journey: str | None = None
        self.questions: dict[tuple[Any, ...], None] = {}

    def _note(self, *question: Any) -> Any:
        self.questions.setdefault(question)
        return getattr(self._ctx, question[0])(*question[1:])

    def slug_of(self, journey_id: str) -> Any:
        return self._note("slug_of", journey_id)

    def catalog_item(self, kind: str, item_id: str) -> ItemView | None:
        item = self._note("catalog_item", kind, item_id)
        return None if item is None else ItemView(item.label, item.fields)

    def touchpoints_of(self, journey_id: str) -> Any:
        return self._note("touchpoints_of", journey_id)

    def stats_of(self, file: str) -> Any:
        return self._note("stats_of", file)

    def owner_of(self, journey_id: str, touchpoint: str) -> Any:
        return self._note("owner_of", journey_id, touchpoint)

    def missing_in(self, file: str) -> Any:
        return self._note("missing_in", file)

    def incoming_to(self, journey_id: str) -> Any:
        return self._note("incoming_to", journey_id)

    def title_of(self, slug: str) -> Any:
        return self._note("title_of", slug)

    def touchpoint_name(self, journey_id: str, touchpoint: str) -> Any:
        return self._note("touchpoint_name", journey_id, touchpoint)

    def journey_at(self, slug: str) -> Any:
        return self._note("journey_at", slug)

    def local_name(self, journey_id: str, kind: str, item_id: str) -> Any:
        return self._note("local_name", journey_id, kind, item_id)

    def catalog_labels(self, kind: str) -> Any:
        return self._note("catalog_labels", kind)

    def for_journey(self, journey_id: str) -> "Recorder":
        """The page's own journey: its answers are asked with the journey named, so nothing else to note."""
        self.journey = journey_id
        return self


def answers_digest(ctx: Any, entry: Any, questions: Sequence[Sequence[Any]]) -> str:
    """The digest of the page's own index row and of the answers `ctx` gives to `questions` now."""
    text = repr((entry, [_ask(ctx, q) for q in questions]))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# --------------------------------------------------------------------------------------------------
# The store


def _sealed(text: str) -> str:
    """The text behind its checksum (CRC-32: against damage, not tampering; see the module's note)."""
    return f"{zlib.crc32(text.encode('utf-8', 'surrogatepass')):08x}" + text


def _unsealed(value: Any) -> Any:
    if not isinstance(value, str) or len(value) < 8:
        return None
    text = value[8:]
    if f"{zlib.crc32(text.encode('utf-8', 'surrogatepass')):08x}" != value[:8]:
        return None  # truncated or damaged: a miss
    try:
        return json.loads(text)
    except ValueError:
        return None


class PageCache:
    """Key → record, digest → page; every storage error is a miss (or no write), never a failure."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._db: Any = None
        self._broken = directory is None
        self._used: set[str] = set()
        self._new: list[tuple[str, str, str]] = []  # (key, page digest, sealed record)
        self._pages: dict[str, bytes] = {}  # digest -> compressed page, new this build
        self._stale: set[str] = set()  # records read whose last use is more than an hour old
        self._now = int(time.time())

    def _connect(self) -> Any:
        if self._db is not None or self._broken:
            return self._db
        import sqlite3

        for attempt in range(2):
            try:
                assert self.directory is not None
                self.directory.mkdir(parents=True, exist_ok=True)
                self._db = self._open(sqlite3)
                return self._db
            except sqlite3.Error:
                if attempt == 0:
                    self._discard()  # not a database, or a damaged one: start again, once
                    continue
            except OSError:
                break
        self._broken = True
        return None

    def _open(self, sqlite3: Any) -> Any:
        from ..check.cache import open_store

        assert self.directory is not None
        return open_store(sqlite3, self.directory / DB_NAME, _BUSY_MS, {
            "records": "(key TEXT PRIMARY KEY, page TEXT NOT NULL, used INTEGER NOT NULL, value TEXT NOT NULL) "
                       "WITHOUT ROWID",
            "pages": "(digest TEXT PRIMARY KEY, data BLOB NOT NULL)"})

    def _discard(self) -> None:
        from ..check.cache import delete_store

        self.close()
        assert self.directory is not None
        delete_store(self.directory / DB_NAME)

    def records(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The intact records of these keys (the rest are misses)."""
        import sqlite3

        db = self._connect() if keys else None
        out: dict[str, dict[str, Any]] = {}
        if db is None:
            return out
        for start in range(0, len(keys), 500):
            batch = list(keys[start:start + 500])
            try:
                rows = db.execute("SELECT key, used, value FROM records WHERE key IN "
                                  f"({','.join('?' * len(batch))})", batch).fetchall()
            except sqlite3.Error:
                self._discard()
                self._broken = True
                return {}
            for key, used, value in rows:
                record = _unsealed(value)
                if isinstance(record, dict):
                    out[key] = record
                    if not isinstance(used, int) or used < self._now - _TOUCH_SECONDS:
                        self._stale.add(key)
        return out

    def page(self, digest: str) -> bytes | None:
        """A page's bytes, if stored and intact."""
        import sqlite3

        if digest in self._pages:
            return zlib.decompress(self._pages[digest])
        db = self._connect()
        try:
            row = db.execute("SELECT data FROM pages WHERE digest = ?", (digest,)).fetchone() if db else None
            data = zlib.decompress(row[0]) if row else None
        except (sqlite3.Error, zlib.error, TypeError):
            return None
        if data is None or hashlib.sha256(data).hexdigest() != digest:
            return None
        return data

    def used(self, key: str) -> None:
        """The record served this build: marked as used (at most once an hour, to spare writes)."""
        if key in self._stale:
            self._used.add(key)

    def put(self, key: str, record: dict[str, Any], page: bytes, digest: str | None = None) -> str:
        """Keep a record and its page (written at `close`); the page's digest."""
        digest = digest or hashlib.sha256(page).hexdigest()
        record = dict(record, page=digest)
        self._new.append((key, digest, _sealed(json.dumps(record))))
        if digest not in self._pages:
            self._pages[digest] = zlib.compress(page, 1)
        return digest

    def close(self, files: int = 0) -> None:
        """Write this build's records, mark the ones used, prune old ones: one transaction, best effort."""
        import sqlite3

        db = self._connect() if (self._new or self._used) else None
        if db is not None:
            now = self._now
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    db.executemany("INSERT OR REPLACE INTO pages (digest, data) VALUES (?, ?)",
                                   list(self._pages.items()))
                    db.executemany("INSERT OR REPLACE INTO records (key, page, used, value) VALUES (?, ?, ?, ?)",
                                   [(k, d, now, v) for k, d, v in self._new])
                    used = sorted(self._used)
                    for start in range(0, len(used), 500):
                        batch = used[start:start + 500]
                        db.execute(f"UPDATE records SET used = ? WHERE key IN ({','.join('?' * len(batch))})",
                                   [now, *batch])
                    self._prune(db, now, files)
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
            except (sqlite3.Error, ValueError):
                pass  # busy (another build is writing), disk full, read-only: this build's entries are lost
        self._new.clear()
        self._pages.clear()
        if self._db is not None:
            try:
                self._db.close()
            except Exception:
                pass
            self._db = None

    @staticmethod
    def _prune(db: Any, now: int, files: int) -> None:
        db.execute("DELETE FROM records WHERE used < ?", (now - KEEP_DAYS * 86400,))
        limit = 4 * files + 1000  # a few builds' worth of edits of this workspace, or of a few workspaces
        db.execute("DELETE FROM records WHERE key IN (SELECT key FROM records ORDER BY used DESC, key "
                   "LIMIT -1 OFFSET ?)", (limit,))
        db.execute("DELETE FROM pages WHERE digest NOT IN (SELECT page FROM records)")

    def close_quietly(self) -> None:
        self._new.clear()
        self._pages.clear()
        self.close()


# --------------------------------------------------------------------------------------------------
# Pages already in the site directory


class SiteState:
    """Size, mtime and digest of each page the last build wrote into one site directory, so a page that
    did not change is neither made nor read again. Kept in the cache directory, not in the site."""

    def __init__(self, directory: Path | None, out: Path) -> None:
        self.path = None
        self.pages: dict[str, list[Any]] = {}
        if directory is None:
            return
        name = hashlib.sha256(str(out.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:32]
        self.path = directory / STATE_DIR / f"{name}.json"
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            return
        if isinstance(data, dict) and isinstance(data.get("pages"), dict):
            self.pages = data["pages"]

    def holds(self, out: Path, rel: str, digest: str) -> bool:
        """Whether the site's file `rel` is still the page with this digest that the last build wrote."""
        known = self.pages.get(rel)
        if not isinstance(known, list) or len(known) != 3 or known[2] != digest:
            return False
        try:
            stat = (out / rel).stat()
        except OSError:
            return False
        return [stat.st_size, stat.st_mtime_ns] == known[:2]

    def save(self, out: Path, digests: dict[str, str]) -> None:
        if self.path is None:
            return
        pages: dict[str, list[Any]] = {}
        for rel, digest in sorted(digests.items()):
            try:
                stat = (out / rel).stat()
            except OSError:
                continue
            pages[rel] = [stat.st_size, stat.st_mtime_ns, digest]
        from ..output import write_atomic

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps({"out": str(out.resolve()), "pages": pages}))
        except (OSError, TypeError, ValueError):
            pass


def page_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

