"""Paths from different workspaces, each checked in its own workspace.

`journeyctl validate wsA wsB` names two workspaces: each has its own settings and its own ids, and a
journey `onboarding` in both is no duplicate. A workspace is the directory of the nearest settings file
(.journeyctl.yaml, or pyproject.toml with [tool.journeyctl]) above a path; a path with none above it is
a workspace of its own (a directory named on the command line, or the directory of a file), unless it
lies inside another such path.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from ..config import Config, find_config, load_config


def _key(path: Path) -> tuple[str, str]:
    start = path if path.is_dir() else path.parent
    if not start.is_dir():  # a glob or a missing path: discovery reports it in the first group
        return ("", "")
    found = find_config(start)
    if found is not None:
        return ("settings", str(found[0]))
    return ("directory", os.path.realpath(start))


def group_paths(paths: Sequence[Path], config: Config) -> list[tuple[list[Path], Config]]:
    """The paths grouped by workspace, each with its settings; one group (with `config`) when they share one."""
    keys = [_key(p) for p in paths]
    if len({k for k in keys if k[0]}) <= 1:
        return [(list(paths), config)]
    # A directory without settings inside another named one belongs to the outer one.
    roots = sorted({k[1] for k in keys if k[0] == "directory"}, key=len)
    outer = {}
    for root in roots:
        outer[root] = next((r for r in roots if r == root or root.startswith(r.rstrip(os.sep) + os.sep)), root)
    groups: dict[tuple[str, str], list[Path]] = {}
    for path, key in zip(paths, keys):
        if key[0] == "directory":
            key = ("directory", outer[key[1]])
        elif not key[0]:
            key = next((k for k in keys if k[0]), key)
        groups.setdefault(key, []).append(path)
    out: list[tuple[list[Path], Config]] = []
    for (kind, where), members in groups.items():
        if kind == "settings":
            same = config.source is not None and os.path.realpath(config.source) == os.path.realpath(where)
            out.append((members, config if same else load_config(start=Path(where).parent)))
        else:
            out.append((members, load_config(start=Path(where)) if config.source is not None else
                        _rooted(config, Path(where))))
    for _, settings in out:
        settings.cache = config.cache  # --no-cache and the like hold for the whole run
    return out


def _rooted(config: Config, root: Path) -> Config:
    """The run's own settings (no file found), rooted at this workspace."""
    import dataclasses

    return dataclasses.replace(config, root=root.resolve())
