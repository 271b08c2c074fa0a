"""The schema through the real yaml-language-server: `init`'s modeline resolves offline, the first time;
enum-or-null fields keep their value descriptions; nullable fields hover with one title."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types as t
from pytest_lsp.client import client_capabilities, make_test_lsp_client

from journeyctl.format.enum_docs import ENUM_DOCS
from helpers.node_clients import node_modules

ROOT = Path(__file__).resolve().parents[2]


def _init(repo: Path) -> Path:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "journeyctl", "init", "journeys/web", "--id", "starter"], cwd=repo, env=env,
                   check=True, capture_output=True, timeout=60)
    return repo / "journeys" / "web" / "starter.journey.yaml"


def _pos(text: str, needle: str, offset: int) -> t.Position:
    index = text.index(needle) + offset
    return t.Position(text.count("\n", 0, index), index - (text.rfind("\n", 0, index) + 1))


@pytest.mark.asyncio
async def test_init_starter_in_yaml_language_server(tmp_path: Path) -> None:
    server = node_modules() / ".bin" / "yaml-language-server"
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    path = _init(repo)
    text = path.read_text()
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../../journey.schema.json"
    client = make_test_lsp_client()
    await client.start_io(str(server), "--stdio")
    try:
        await client.initialize_session(t.InitializeParams(capabilities=client_capabilities("visual-studio-code"),
                                                           root_uri=repo.as_uri()))
        client.workspace_did_change_configuration(t.DidChangeConfigurationParams(
            settings={"yaml": {"validate": True, "hover": True, "completion": True, "schemaStore": {"enable": False}}}))
        uri = path.as_uri()
        # an error in the opened file proves the schema was loaded and applied (offline: no URL to fetch)
        broken = text.replace("kind: external ", "kind: externl  ", 1)
        client.text_document_did_open(t.DidOpenTextDocumentParams(t.TextDocumentItem(uri, "yaml", 1, broken)))
        for _ in range(100):
            if client.diagnostics.get(uri):
                break
            await asyncio.sleep(0.1)
        messages = [d.message for d in client.diagnostics.get(uri, [])]
        assert not [m for m in messages if "Unable to load schema" in m], messages
        assert [d.range.start.line for d in client.diagnostics[uri]] == [_pos(broken, "kind: externl", 6).line]
        # completion of an enum-or-null value: every value with its description, and no "Default value" null
        at = _pos(broken, "kind: externl", len("kind: "))
        result = await client.text_document_completion_async(t.CompletionParams(
            text_document=t.TextDocumentIdentifier(uri), position=at))
        items = [(i.label, i.documentation) for i in result.items]
        expected = [(value, doc) for value, doc in ENUM_DOCS["kind"].items()]
        assert items[:3] == expected
        assert items[3:] == [("null", "No kind: the same as leaving the key out.")]
        # hover on nullable fields: one title, the field's own description first, value descriptions listed
        hover = await client.text_document_hover_async(t.HoverParams(
            text_document=t.TextDocumentIdentifier(uri), position=_pos(broken, "outcome: converted", 2)))
        shown = hover.contents.value
        assert shown.count("#### ") == 1 and " || " not in shown
        # the heading names the key hovered, not the whole file's title
        assert shown.startswith("#### Touchpoint: outcome\n"), shown
        assert f"* `converted`: {ENUM_DOCS['outcome']['converted']}" in shown
        hover = await client.text_document_hover_async(t.HoverParams(
            text_document=t.TextDocumentIdentifier(uri), position=_pos(broken, "channel: web", 2)))
        shown = hover.contents.value
        assert " || " not in shown
        assert shown.startswith("#### Touchpoint: channel\n"), shown
        assert shown.split("\n\n")[1] == "The channel (declared in 'channels') of this touchpoint."
    finally:
        await client.shutdown_session()
