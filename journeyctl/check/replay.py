"""Run replay: `validate` run again on an unchanged workspace answers before the checker is loaded.

The per-file cache (cache.py) makes re-checking a file nearly free, but a run still pays ~0.2 s of
start-up (typer, pydantic, the rules) before it can look anything up: more than everything else a
cached run does. So a run also stores what it read and what it answered, under a key of everything
else its answer depends on: the command line, the working directory, the environment variables
journeyctl reads, whether stdout is a terminal, where the git repository starts (SARIF paths), today's
date and the code. What it read is the settings file `config.locate` found (and its SHA-256), the
files `discovery.workspace_files` found, and each file's SHA-256. The next identical command, from
`__main__` before typer is imported, asks the same questions with the same standard-library code and,
when every answer and every byte is the same, prints the stored answer and exits with the stored code.

Anything else runs normally: an option this module does not know, a file that cannot be read or is
not a regular file, a settings or discovery error, a run that reported a file error. A replay can only
repeat what a full run printed for the same bytes; it never decides anything itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from pathlib import Path
from typing import Any, Sequence

# Options of `validate` that take a value, and flags; anything else (--help, --no-cache, a typo) is
# left to the real parser.
_VALUED = {"--format", "-f", "--output", "-o", "--config", "-c", "--select", "--ignore", "--fail-on"}
_ENV_EXACT = ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS", "GIT_DIR", "GIT_WORK_TREE", "GIT_CEILING_DIRECTORIES")
_ENV_PREFIX = "JOURNEYCTL_"
# Entries of the result cache's table are told apart from per-file entries by this prefix.
_KEY_PREFIX = "run:"
_VERSION = 1

# Set by try_replay() when the command line qualifies: the key a full run then records under.
_pending: str | None = None


def try_replay(argv: Sequence[str]) -> int | None:
    """The exit code of a replayed run, or None: run normally (and record, if the command qualifies)."""
    entry = _lookup(argv)
    return None if entry is None else _emit(entry)


def _lookup(argv: Sequence[str]) -> dict[str, Any] | None:
    global _pending
    _pending = None
    parsed = _parse(list(argv))
    if parsed is None or os.environ.get("JOURNEYCTL_NO_REPLAY"):
        return None
    explicit, paths = parsed
    try:
        from .cache import ResultCache, cache_dir
        from ..config import locate, settings_root

        key = _key(argv)
        _pending = key
        cache = ResultCache(cache_dir(settings_root(locate(explicit, paths))))
        try:
            text = cache.get_text(key)
        finally:
            cache.close()
        entry = json.loads(text) if text else None
        if not isinstance(entry, dict) or entry.get("v") != _VERSION:
            return None
        if _inputs(entry["config"], [Path(p) for p in entry["paths"]], entry["settings"]) != entry["inputs"]:
            return None
        return entry
    except Exception:  # the replay may only ever save time: any doubt is a normal run
        return None


def snapshot(explicit: Path | None, paths: Sequence[Path], config: Any) -> dict[str, Any] | None:
    """What a run is about to read, taken before it reads it (a file edited during the run then
    fails the next comparison); None when this run cannot be replayed."""
    if _pending is None or not config.cache:
        return None
    settings = {"source": str(config.source) if config.source else None, "root": str(config.root),
                "include": list(config.include), "exclude": list(config.exclude)}
    config_path = str(explicit) if explicit is not None else None
    try:
        inputs = _inputs(config_path, list(paths), settings)
    except Exception:
        return None
    if inputs is None:
        return None
    return {"config": config_path, "paths": [str(p) for p in paths], "settings": settings, "inputs": inputs}


def record(taken: dict[str, Any] | None, config: Any, stdout: str, code: int,
           output: tuple[Path, str] | None = None) -> None:
    """Store a finished run's answer; silently nothing when the cache cannot take it."""
    if taken is None:  # snapshot() gave nothing: this run is not one to replay
        return
    from .cache import ResultCache, cache_dir

    assert _pending is not None  # snapshot() returns None otherwise
    entry = {**taken, "v": _VERSION, "stdout": stdout, "code": code,
             "output": [str(output[0]), output[1]] if output else None}
    cache = ResultCache(cache_dir(config.root))
    try:
        cache.put_many([(_pending, json.dumps(entry, ensure_ascii=False, separators=(",", ":")))])
    finally:
        cache.close()


def _parse(argv: list[str]) -> tuple[Path | None, list[Path]] | None:
    """`validate [PATHS] [options]` → (--config, PATHS), or None for anything this module won't judge."""
    if not argv or argv[0] != "validate":
        return None
    explicit: Path | None = None
    paths: list[Path] = []
    args = iter(argv[1:])
    for arg in args:
        name, eq, value = arg.partition("=")
        if arg.startswith("--") and eq and name in _VALUED:
            pass
        elif arg in _VALUED:
            value = next(args, None)  # type: ignore[assignment]
            if value is None:
                return None
            name = arg
        elif arg.startswith("-"):
            return None  # a flag (--no-cache, --help), short options bundled, '--': the real parser decides
        else:
            paths.append(Path(arg))
            continue
        if name in ("--config", "-c"):
            explicit = Path(value)
    return explicit, paths or [Path(".")]


def _key(argv: Sequence[str]) -> str:
    from .cache import code_fingerprint, today

    env = sorted((k, v) for k, v in os.environ.items() if k.startswith(_ENV_PREFIX) or k in _ENV_EXACT)
    tty = [bool(getattr(s, "isatty", lambda: False)()) for s in (sys.stdout, sys.stderr)]
    payload = [_VERSION, code_fingerprint(), list(argv), os.getcwd(), env, tty, today(), _git_dir()]
    return _KEY_PREFIX + hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def _git_dir() -> str | None:
    """The nearest directory holding `.git`, as SARIF's repository root depends on it."""
    here = os.getcwd()
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _inputs(config_path: str | None, paths: list[Path], settings: dict[str, Any]) -> list[Any] | None:
    """The settings file found and every file discovery finds, each with its SHA-256; None when any is
    not a readable regular file."""
    from ..config import Config, locate
    from .discovery import UsageError, workspace_files

    where = locate(Path(config_path) if config_path else None, paths)
    found: list[Any] = [None, None]
    if where.path is not None:
        digest = _digest(where.path)
        if digest is None:
            return None
        found = [str(where.path), digest]
    config = Config(source=Path(settings["source"]) if settings["source"] else None, root=Path(settings["root"]),
                    include=tuple(settings["include"]), exclude=tuple(settings["exclude"]))
    try:
        files = workspace_files(paths, config)
    except UsageError:
        return None
    listed = []
    for file in files:
        digest = _digest(file)
        if digest is None:
            return None
        listed.append([str(file), digest])
    return [found, listed]


def _digest(path: Path) -> str | None:
    try:
        with open(path, "rb", opener=_no_block) as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


def _no_block(path: str, flags: int) -> int:
    # O_NONBLOCK: opening a FIFO must not wait for a writer; regular files ignore the flag.
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def _emit(entry: dict[str, Any]) -> int | None:
    if entry["output"]:
        from ..output import OutputError, write_atomic

        try:
            write_atomic(Path(entry["output"][0]), entry["output"][1])
        except OutputError:
            return None  # the full run reports it properly
    from ..output import OutputError, write_stdout

    try:
        write_stdout(entry["stdout"])
    except OutputError as exc:
        sys.stderr.write(f"journeyctl: {exc}\n")
        return 2
    return int(entry["code"])
