"""Project settings: found the way CI users expect (flag, nearest dotfile upward, then pyproject.toml).

A bad setting is a usage error (exit 2) that names the file and line to fix, because a typo in a rule id
silently running the default is worse than a failed build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from .check.findings import SEVERITIES

CONFIG_NAME = ".journeyctl.yaml"
DEFAULT_INCLUDE = ("*.journey.yaml", "*.journey.yml")
DURATION = re.compile(r"^[0-9]+(\.[0-9]+)?(min|h|d|w)$")


class ConfigError(Exception):
    def __init__(self, file: str, line: int, column: int, message: str) -> None:
        super().__init__(f"{file}:{line}:{column}: {message}")
        self.file, self.line, self.column, self.message = file, line, column, message


@dataclass
class Config:
    source: Path | None = None
    root: Path = field(default_factory=Path.cwd)
    severities: dict[str, str] = field(default_factory=dict)  # rule id -> severity or "off"
    required_stages: tuple[str, ...] = ()
    review_every: str = "180d"
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    catalogs: tuple[str, ...] = ()
    max_file_size: int = 8 * 1024 * 1024
    render_timeout: float = 60.0
    cache: bool = True


def find_config(start: Path) -> tuple[Path, str] | None:
    """The nearest `.journeyctl.yaml`, else the nearest pyproject.toml with [tool.journeyctl]."""
    start = start.resolve()
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate, "yaml"
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                text = candidate.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            # Loosely: a misspelt or unclosed [tool.journeyctl table is then reported, not ignored.
            if re.search(r"^\s*\[+\s*\"?tool\"?\s*\.\s*\"?journeyctl\b", text, re.M):
                return candidate, "toml"
    return None


@dataclass(frozen=True)
class Located:
    """Where a command's settings come from: a file (and its kind), or none and the root to use."""

    path: Path | None
    kind: str  # "yaml", "toml", or "" when there is no file
    start: Path  # the directory the search began in: the workspace root when no file is found


def locate(explicit: Path | None = None, paths: Sequence[Path] = ()) -> Located:
    """--config, else the nearest settings up from the working directory, else up from the first path.

    Kept apart from reading so that the run replay (replay.py) can ask the same question cheaply.
    """
    if explicit is not None:
        return Located(explicit, "toml" if explicit.suffix == ".toml" else "yaml", Path.cwd())
    found = find_config(Path.cwd())
    if found is not None:
        return Located(found[0], found[1], Path.cwd())
    if paths:
        first = paths[0] if paths[0].is_dir() else paths[0].parent
        if first.is_dir():
            found = find_config(first)
            return Located(*found, first) if found else Located(None, "", first)
    return Located(None, "", Path.cwd())


def settings_root(where: Located) -> Path:
    """The workspace root: the settings file's directory, else where the search began."""
    return (where.path.parent if where.path is not None else where.start).resolve()


def load_settings(explicit: Path | None = None, paths: Sequence[Path] = ()) -> Config:
    """The settings a command runs with (see `locate`); ConfigError names the file and line to fix."""
    return _load(locate(explicit, paths))


def load_config(explicit: Path | None = None, start: Path | None = None) -> Config:
    """The settings of `explicit`, else the nearest up from `start` (default: the working directory)."""
    if explicit is not None:
        return _load(locate(explicit))
    start = start or Path.cwd()
    found = find_config(start)
    return _load(Located(*found, start) if found else Located(None, "", start))


def _load(where: Located) -> Config:
    if where.path is None:
        return Config(root=settings_root(where))
    if not where.path.is_file():  # only an explicit path can be missing: a found one was checked
        raise ConfigError(str(where.path), 1, 1, "config file not found")
    return _read(where.path, where.kind)


def _read(path: Path, kind: str) -> Config:
    display = str(path)
    if kind == "toml":
        import tomllib

        try:
            text = path.read_text(encoding="utf-8")
            data = tomllib.loads(text).get("tool", {}).get("journeyctl", {})
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(display, 1, 1, f"cannot read: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"line (\d+), column (\d+)", str(exc))
            if match:
                line, col = int(match[1]), int(match[2])
            elif "end of document" in str(exc):
                line, col = text.count("\n") + 1, len(text) - text.rfind("\n")
            else:
                line, col = 1, 1
            raise ConfigError(display, line, col, f"invalid TOML: {exc}") from None

        def locate(keys: tuple[str | int, ...], key: bool = False) -> tuple[int, int]:
            return _toml_line(text, keys)
    else:
        from .format.loader import LoadError, load_document

        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise ConfigError(display, 1, 1, f"cannot read: {exc.strerror}") from None
        if all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
            return Config(source=path, root=path.parent.resolve())  # an empty config marks a workspace root
        try:
            doc = load_document(path)
        except LoadError as exc:
            raise ConfigError(display, exc.line, exc.column, exc.message) from None
        except OSError as exc:
            raise ConfigError(display, 1, 1, f"cannot read: {exc.strerror}") from None
        if doc.problems:
            p = doc.problems[0]
            raise ConfigError(display, p.line, p.column, p.message)
        data = doc.data
        locate = doc.locate
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(display, 1, 1, "the config must be a mapping of settings")
    return _parse(data, path, locate)


def _toml_line(text: str, keys: tuple[str | int, ...]) -> tuple[int, int]:
    """Best-effort line of a key under [tool.journeyctl] (tomllib keeps no positions)."""
    lines = text.splitlines()
    start = next((i for i, l in enumerate(lines) if l.strip().startswith("[tool.journeyctl")), 0)
    wanted = str(keys[-1]) if keys and isinstance(keys[-1], str) else (str(keys[0]) if keys else "")
    for i in range(start, len(lines)):
        stripped = lines[i].lstrip()
        if wanted and re.match(rf'"?{re.escape(wanted)}"?\s*=', stripped):
            return i + 1, len(lines[i]) - len(stripped) + 1
    return start + 1, 1


_KNOWN = {"rules", "required_stages", "review_every", "include", "exclude", "catalogs", "max_file_size",
          "render", "cache"}


def _parse(data: dict[str, Any], path: Path, locate: Any) -> Config:
    from .rules.catalog import all_rules

    display = str(path)

    def fail(keys: tuple[str | int, ...], message: str, key: bool = False) -> ConfigError:
        line, col = locate(keys, key) if key else locate(keys)
        return ConfigError(display, line, col, message)

    def strings(name: str) -> tuple[str, ...]:
        value = data[name]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail((name,), f"'{name}' must be a list of strings")
        return tuple(value)

    config = Config(source=path, root=path.parent.resolve())
    for name in data:
        if name not in _KNOWN:
            from .suggest import closest

            hint = closest(str(name), _KNOWN)
            raise fail((name,), f"unknown setting '{name}'" + (f" (did you mean '{hint}'?)" if hint else ""), key=True)
    rules = data.get("rules", {}) or {}
    if not isinstance(rules, dict):
        raise fail(("rules",), "'rules' must map rule ids to error, warning, info or off")
    known = all_rules()
    for rule_id, level in rules.items():
        if rule_id not in known:
            from .suggest import closest

            hint = closest(rule_id, known)
            raise fail(("rules", rule_id), f"unknown rule '{rule_id}'" + (f" (did you mean '{hint}'?)" if hint else ""), key=True)
        if level is False:  # YAML 1.1 reads an unquoted `off` as false
            level = "off"
        if level not in (*SEVERITIES, "off", "on"):
            raise fail(("rules", rule_id), f"rule '{rule_id}': '{level}' is not one of error, warning, info, off, on")
        config.severities[rule_id] = level
    if "required_stages" in data:
        config.required_stages = strings("required_stages")
    if "review_every" in data:
        if not isinstance(data["review_every"], str) or not DURATION.match(data["review_every"]):
            raise fail(("review_every",), "'review_every' must be a duration like 90d, 12w or 24h")
        config.review_every = data["review_every"]
    for name in ("include", "exclude", "catalogs"):
        if name in data:
            setattr(config, name, strings(name))
    if "max_file_size" in data:
        if not isinstance(data["max_file_size"], int) or isinstance(data["max_file_size"], bool) or data["max_file_size"] <= 0:
            raise fail(("max_file_size",), "'max_file_size' must be a positive number of bytes")
        config.max_file_size = data["max_file_size"]
    if "cache" in data:
        if not isinstance(data["cache"], bool):
            from .format.yaml12 import BOOL, reading_11

            old = reading_11(data["cache"]) if isinstance(data["cache"], str) else None
            hint = f" (write {str(old[1]).lower()}: '{data['cache']}' is text in YAML 1.2)" if old and old[0] == BOOL else ""
            raise fail(("cache",), "'cache' must be true or false" + hint)
        config.cache = data["cache"]
    render = data.get("render", {}) or {}
    if not isinstance(render, dict):
        raise fail(("render",), "'render' must be a mapping (e.g. timeout: 60)")
    if "timeout" in render:
        value = render["timeout"]
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
            raise fail(("render", "timeout"), "'render.timeout' must be a positive number of seconds")
        config.render_timeout = float(value)
    return config
