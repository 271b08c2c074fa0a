"""The result cache: a re-run of `validate` on an unchanged workspace reuses each file's outcome.

An entry is keyed by everything its outcome depends on, so nothing is ever invalidated by hand:
the file's bytes, the path it was reached by and where it really is (findings show a display path),
and a run fingerprint — journeyctl's own code (a content hash of the package, so an edited rule counts
as a new rule set), the installed library versions, the Python version, the effective config and
severities, the shared catalogs of the workspace, and today's date (stale-journey rules depend on it).
Entries therefore live one day at most; each write drops the other days' entries.

Storage is one SQLite database in WAL mode: many readers and one writer at a time, so parallel runs
(pre-commit and an editor, two CI jobs on one checkout) are safe; a writer that cannot get the lock
within a moment skips writing rather than slowing the run. Values are JSON, never pickle: a cache
directory can arrive from elsewhere (a restored CI cache, a careless commit), and loading it must not
run code. A corrupt database is deleted and rebuilt; an entry that does not decode is a miss and is
overwritten. Any other failure (read-only directory, full disk) turns the cache off for the run: the
cache may make a run faster, never fail it.

Trust: entries are not signed. Whoever can write the cache directory can make a file look clean until
it changes, as with any tool's cache; in CI, restore `.journeyctl_cache/` only from trusted branches,
or run with --no-cache.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

CACHE_DIR_NAME = ".journeyctl_cache"
DB_NAME = "results-v1.sqlite3"
# A second writer waits this long for the lock, then gives up writing (the run itself is unaffected).
BUSY_TIMEOUT_MS = 2_000


def cache_dir(root: Path) -> Path:
    """Where the cache lives: $JOURNEYCTL_CACHE_DIR, else .journeyctl_cache/ at the config root."""
    override = os.environ.get("JOURNEYCTL_CACHE_DIR")
    return Path(override) if override else root / CACHE_DIR_NAME


def today() -> str:
    """The date rules see (JOURNEYCTL_TODAY pins it in tests), as part of every key."""
    return os.environ.get("JOURNEYCTL_TODAY") or date.today().isoformat()


# --- fingerprints -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of journeyctl's own source and data files, and of the library versions installed beside it.

    The version number alone would miss every edit made between releases (an editable install, a
    branch adding a rule); hashing ~80 small files costs about a millisecond.
    """
    from .. import __version__

    h = hashlib.blake2b(digest_size=16)
    h.update(f"{__version__}\0{sys.version}\0".encode())
    package = Path(__file__).resolve().parents[1]  # the whole journeyctl package
    _hash_tree(package, package, h)
    # Messages come from pydantic, PyYAML and jsonschema too: any installed distribution changing
    # (name-version.dist-info) changes the fingerprint. One directory listing, no imports.
    for site in _library_dirs():
        try:
            h.update("\0".join(sorted(n for n in os.listdir(site) if n.endswith(".dist-info"))).encode())
        except OSError:
            pass
    return h.hexdigest()


def _library_dirs() -> list[str]:
    """Where pydantic and PyYAML are installed, found without importing them (the run replay computes
    this fingerprint before anything heavy is loaded)."""
    from importlib.util import find_spec

    dirs = set()
    for name in ("pydantic", "yaml"):
        spec = find_spec(name)
        if spec is not None and spec.origin:
            dirs.add(str(Path(spec.origin).resolve().parent.parent))
    return sorted(dirs)


def _hash_tree(directory: Path, root: Path, h: Any) -> None:
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name != "__pycache__":
                _hash_tree(Path(entry.path), root, h)
        elif entry.name.endswith((".py", ".json")):
            try:
                with open(entry.path, "rb") as handle:
                    data = handle.read()
            except OSError:
                continue
            h.update(f"{Path(entry.path).relative_to(root).as_posix()}\0{len(data)}\0".encode())
            h.update(data)


class Uncacheable(Exception):
    """The job holds something with no stable fingerprint: run without the cache rather than guess."""


def canonical(value: Any) -> Any:
    """A JSON-able, order-independent form of config, severities, workspace...: the same for equal values
    in every process (sets are sorted, so PYTHONHASHSEED cannot change a key)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Path):
        return ["path", value.as_posix()]
    if isinstance(value, date):
        return ["date", value.isoformat()]
    if isinstance(value, (list, tuple)):
        return [type(value).__name__, [canonical(v) for v in value]]
    if isinstance(value, (set, frozenset)):
        items = [canonical(v) for v in value]
        return ["set", sorted(items, key=lambda v: json.dumps(v, sort_keys=True))]
    if isinstance(value, dict):
        items = [[canonical(k), canonical(v)] for k, v in value.items()]
        return ["dict", sorted(items, key=lambda kv: json.dumps(kv[0], sort_keys=True))]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return ["dc", f"{type(value).__module__}.{type(value).__qualname__}", fields]
    if isinstance(value, functools.partial):
        return ["partial", canonical(value.func), canonical(value.args), canonical(value.keywords)]
    if callable(value) and hasattr(value, "__module__") and hasattr(value, "__qualname__") \
            and "<" not in value.__qualname__:  # a module-level function, not a lambda or closure
        return ["func", f"{value.__module__}.{value.__qualname__}"]
    raise Uncacheable(f"no stable fingerprint for {type(value).__name__}")


def rules_fingerprint() -> list[Any]:
    """The registered rules, and proof that each runs the code the package hash covers.

    A rule registered from outside journeyctl (a test, an embedding program) or a registry entry
    swapped for another function cannot be fingerprinted by the source hash: no cache for that run.
    """
    from ..rules.catalog import all_rules

    out = []
    for rule in all_rules().values():
        check = rule.check
        if check is not None:
            module = sys.modules.get(getattr(check, "__module__", "") or "")
            if (module is None or not module.__name__.startswith(__name__.split(".")[0] + ".")
                    or getattr(module, check.__name__, None) is not check):
                raise Uncacheable(f"rule {rule.id} runs code from outside journeyctl")
        out.append([rule.id, rule.severity, rule.enabled, check and f"{check.__module__}.{check.__qualname__}"])
    return out


def run_fingerprint(job: Any) -> str:
    """Everything a file's outcome depends on besides the file: code, rules, libraries, settings, date."""
    payload = json.dumps([code_fingerprint(), rules_fingerprint(), today(), canonical(job)], sort_keys=True,
                         separators=(",", ":"))
    return hashlib.blake2b(payload.encode(), digest_size=16).hexdigest()


def content_hash(data: bytes) -> str:
    # SHA-256: collision-resistant, and the fastest hashlib digest on CPUs with SHA extensions.
    return hashlib.sha256(data).hexdigest()


def entry_key(run: str, given: str, real: str, cwd: str, digest: str) -> str:
    """The key of one file's outcome: the run, how the path was given and where it leads, the bytes."""
    # surrogateescape: a file name that is not UTF-8 keys on its own bytes.
    return hashlib.sha256("\0".join((run, given, real, cwd, digest)).encode("utf-8", "surrogateescape")).hexdigest()


# --- values: outcomes as JSON ------------------------------------------------------------------------
# Lists, strings and numbers are plain JSON; anything else is an object carrying the marker key "\0":
# {"\0": "T"|"S"|"F", "v": [...]} for a tuple, set or frozenset, {"\0": "D", "v": [[k, v]...]} for a
# dict that plain JSON cannot carry, {"\0": "C", "n": class name, "v": [fields in order]} for a
# dataclass. json's C decoder does the bulk; the hook runs once per object, not once per value.
# Positional fields are safe because an entry is only ever read by the code that wrote it (the code
# fingerprint is part of every key).

_MARK = "\0"


def allowed_classes() -> dict[str, type]:
    """The only classes a cache entry may name; decoding never imports or calls anything else."""
    from .pipeline import FileOutcome, FileResult
    from .findings import Finding
    from .suppress import Suppression
    from .workspace import JourneySummary, Link

    return {c.__name__: c for c in (FileOutcome, FileResult, Finding, Suppression, JourneySummary, Link)}


def encode(value: Any) -> Any:
    """Outcome → JSON-able structure (see above); TypeError for what the cache cannot hold."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, tuple):
        return {_MARK: "T", "v": [encode(v) for v in value]}
    if isinstance(value, frozenset):
        return {_MARK: "F", "v": [encode(v) for v in value]}
    if isinstance(value, set):
        return {_MARK: "S", "v": [encode(v) for v in value]}
    if isinstance(value, dict):
        if all(type(k) is str and k != _MARK for k in value):
            return {k: encode(v) for k, v in value.items()}
        return {_MARK: "D", "v": [[encode(k), encode(v)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        if not all(f.init for f in fields):
            raise TypeError(f"cannot cache a {type(value).__name__}: a field is not an __init__ argument")
        return {_MARK: "C", "n": type(value).__name__, "v": [encode(getattr(value, f.name)) for f in fields]}
    raise TypeError(f"cannot cache a {type(value).__name__}")


def object_hook(classes: dict[str, type]) -> Callable[[dict[str, Any]], Any]:
    def hook(obj: dict[str, Any]) -> Any:
        tag = obj.get(_MARK)
        if tag is None:
            return obj
        if tag == "C":
            return classes[obj["n"]](*obj["v"])
        if tag == "T":
            return tuple(obj["v"])
        if tag == "F":
            return frozenset(obj["v"])
        if tag == "S":
            return set(obj["v"])
        if tag == "D":
            return {k: v for k, v in obj["v"]}
        raise ValueError(f"unknown tag {tag!r}")
    return hook


def dumps(outcome: Any) -> str:
    return json.dumps(encode(outcome), ensure_ascii=False, separators=(",", ":"))


def loads(text: str, classes: dict[str, type], decoder: json.JSONDecoder | None = None) -> Any:
    """JSON → outcome; ValueError, TypeError or KeyError for anything `dumps` did not write (a miss)."""
    return (decoder or json.JSONDecoder(object_hook=object_hook(classes))).decode(text)


# --- storage ------------------------------------------------------------------------------------------



def open_store(sqlite3: Any, path: Path, busy_ms: int, tables: dict[str, str]) -> Any:
    """A cache database (validate's results, the site's pages): WAL, so readers never wait for a writer,
    and `synchronous=NORMAL`, so a crash may lose the last entries but never corrupts. Each table is
    created if missing and read once, so a file that is not a database, or a damaged one, fails here
    (sqlite3.Error) and its owner can delete it and start again."""
    db = sqlite3.connect(path, timeout=busy_ms / 1000, isolation_level=None, check_same_thread=False)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        for name, columns in tables.items():
            db.execute(f"CREATE TABLE IF NOT EXISTS {name} {columns}")
        for name, columns in tables.items():
            key = columns.strip("( ").split()[0]
            db.execute(f"SELECT count(*) FROM {name} WHERE {key} = ''").fetchone()
    except Exception:
        db.close()
        raise
    return db


def delete_store(path: Path) -> None:
    """Delete a cache database with its WAL and journal files (best effort)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(str(path) + suffix)
        except OSError:
            pass

class ResultCache:
    """Key → JSON outcome in one SQLite file; every method swallows storage errors (a miss, no write)."""

    def __init__(self, directory: Path, day: str | None = None) -> None:
        self.directory = directory
        self.day = day or today()
        self._db: Any = None
        self._broken = False
        self._pruned = False  # entries of other days are dropped by the first write of a run

    @functools.cached_property
    def classes(self) -> dict[str, type]:
        # Looked up on first decode: allowed_classes() loads the checker, which the run replay avoids.
        return allowed_classes()

    # Opening is lazy so a run with nothing to look up never creates the directory.
    def _connect(self) -> Any:
        if self._db is not None or self._broken:
            return self._db
        import sqlite3

        for attempt in range(2):
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                _ignore_in_git(self.directory)
                self._db = self._open(sqlite3)
                return self._db
            except sqlite3.Error as exc:
                if attempt == 0 and _is_corrupt(exc):
                    self._discard()  # not a database, or a damaged one: start again from nothing, once
                    continue
                break
            except OSError:
                break
        self._broken = True  # read-only directory, locked for too long...: no cache this run
        return None

    def _open(self, sqlite3: Any) -> Any:
        return open_store(sqlite3, self.directory / DB_NAME, BUSY_TIMEOUT_MS, {
            "results": "(key TEXT PRIMARY KEY, day TEXT NOT NULL, value TEXT NOT NULL) WITHOUT ROWID"})

    def _discard(self) -> None:
        self.close()
        delete_store(self.directory / DB_NAME)

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """Decoded outcomes for the keys present and readable; the rest are simply absent."""
        return dict(self.iter_many(keys))

    def iter_many(self, keys: Iterable[str]) -> Iterator[tuple[str, Any]]:
        """(key, outcome) for the keys present and readable, decoded one at a time (a large run never
        holds every entry's JSON at once)."""
        import sqlite3

        keys = list(keys)
        db = self._connect() if keys else None
        if db is None:
            return
        decoder = json.JSONDecoder(object_hook=object_hook(self.classes))
        for start in range(0, len(keys), 500):  # SQLite caps the number of bound parameters
            batch = keys[start:start + 500]
            try:
                rows = db.execute(f"SELECT key, value FROM results WHERE key IN ({','.join('?' * len(batch))})",
                                  batch).fetchall()
            except sqlite3.Error as exc:
                if _is_corrupt(exc):
                    self._discard()  # damaged after opening: rebuilt on the next write
                return
            for key, text in rows:
                try:
                    value = loads(text, self.classes, decoder)
                except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
                    continue  # a damaged entry is a miss; the fresh outcome overwrites it
                yield key, value

    def get_text(self, key: str) -> str | None:
        """One entry's JSON as stored, not decoded (the run replay reads plain JSON this way)."""
        import sqlite3

        db = self._connect()
        try:
            row = db.execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone() if db else None
        except sqlite3.Error:
            return None
        return row[0] if row else None

    def put_many(self, items: Iterable[tuple[str, str]]) -> None:
        """Store (key, JSON) pairs in one transaction; drop entries of other days."""
        import sqlite3

        items = list(items)
        for attempt in range(2):
            db = self._connect() if items else None
            if db is None:
                return
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    db.executemany("INSERT OR REPLACE INTO results (key, day, value) VALUES (?, ?, ?)",
                                   [(k, self.day, v) for k, v in items])
                    if not self._pruned:
                        db.execute("DELETE FROM results WHERE day <> ?", (self.day,))
                    db.execute("COMMIT")
                    self._pruned = True
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
                return
            except sqlite3.Error as exc:
                if attempt == 0 and _is_corrupt(exc):
                    self._discard()  # rebuilt on the retry
                    continue
                return  # busy (another run is writing), disk full, read-only...: skip writing

    def close(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except Exception:
                pass
            self._db = None


def _is_corrupt(exc: Exception) -> bool:
    """SQLITE_CORRUPT or SQLITE_NOTADB: the file is damaged or not ours. (Locked, busy and read-only
    are operational errors: another run owns the database; deleting it then would be wrong.)"""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (11, 26)
    return "malformed" in str(exc) or "not a database" in str(exc)


def _ignore_in_git(directory: Path) -> None:
    """A .gitignore of '*' inside the cache directory keeps it out of commits (as pytest and ruff do)."""
    marker = directory / ".gitignore"
    if not marker.exists():
        try:
            marker.write_text("# Created by journeyctl: the validate result cache.\n*\n", encoding="utf-8")
        except OSError:
            pass
