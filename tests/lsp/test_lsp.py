"""`journeyctl lsp` end to end: the real server over stdio (pytest-lsp), on the examples and broken copies."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as t
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "fixtures" / "fix" / "broken.journey.yaml"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "JOURNEYCTL_LSP_DEBOUNCE": "0.01"}


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "journeyctl", "lsp"],
                                              server_env=ENV))
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest):
    tmp: Path = request.getfixturevalue("tmp_path")
    shutil.copytree(ROOT / "examples", tmp / "ws")
    shutil.copy(BROKEN, tmp / "ws" / "broken.journey.yaml")
    lsp_client.ws = tmp / "ws"  # type: ignore[attr-defined]
    lsp_client.registrations = []  # type: ignore[attr-defined]

    @lsp_client.feature(t.CLIENT_REGISTER_CAPABILITY)
    def register(params: t.RegistrationParams) -> None:  # the server asks to be told of files changed on disk
        lsp_client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    params = t.InitializeParams(capabilities=client_capabilities("visual-studio-code"),
                                root_uri=(tmp / "ws").as_uri())
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


def _uri(client: LanguageClient, name: str) -> str:
    return (client.ws / name).as_uri()  # type: ignore[attr-defined]


def _open(client: LanguageClient, name: str, text: str | None = None) -> str:
    uri = _uri(client, name)
    text = text if text is not None else (client.ws / name).read_text()  # type: ignore[attr-defined]
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(t.DidOpenTextDocumentParams(t.TextDocumentItem(uri, "yaml", 1, text)))
    return uri


def _pos(text: str, needle: str, offset: int = 0) -> t.Position:
    """Line and character of the first `needle` in `text` (plus `offset` characters)."""
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    return t.Position(line, index - (text.rfind("\n", 0, index) + 1))


async def _diagnostics(client: LanguageClient, uri: str) -> list[t.Diagnostic]:
    """The next diagnostics published for `uri` (after _open or _change dropped the previous ones)."""
    import asyncio

    async def wait() -> None:
        while uri not in client.diagnostics:
            await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    await asyncio.wait_for(wait(), 20)
    return list(client.diagnostics[uri])


def _change(client: LanguageClient, uri: str, version: int, start: t.Position, end: t.Position, text: str) -> None:
    client.diagnostics.pop(uri, None)
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        t.VersionedTextDocumentIdentifier(uri=uri, version=version), [t.TextDocumentContentChangePartial(range=t.Range(start, end), text=text)]))


def yaml_data(path: Path) -> dict:
    import yaml

    return yaml.safe_load(path.read_text())


def _rename(uri: str, position: t.Position, new: str) -> t.RenameParams:
    return t.RenameParams(text_document=t.TextDocumentIdentifier(uri), position=position, new_name=new)


def _brief(diags: list[t.Diagnostic]) -> list[tuple[str, int, int, int, int, str]]:
    return sorted((str(d.code), d.range.start.line, d.range.start.character, d.range.end.line,
                   d.range.end.character, d.severity.name) for d in diags)


@pytest.mark.asyncio
async def test_diagnostics_on_open_and_on_change(client: LanguageClient) -> None:
    clean = _open(client, "b2b-lead-to-customer.journey.yaml")
    assert await _diagnostics(client, clean) == []
    text = BROKEN.read_text()
    uri = _open(client, "broken.journey.yaml", text)
    diags = await _diagnostics(client, uri)
    title = _pos(text, "on   #")
    entry = _pos(text, "yes")
    comment = _pos(text, "# journeyctl")
    end = comment.character + len("# journeyctl: disable=dead-end, orphan")
    brief = _brief(diags)
    # YAML 1.2: `title: on` is the text "on" (a warning: only 1.1 tools misread it), `entry: yes` the text
    # "yes" where a boolean is wanted (an error); neither stops the rules, which report on the rest
    assert ("yaml-ambiguous", title.line, title.character, title.line, title.character + 2, "Warning") in brief
    assert ("yaml-ambiguous", entry.line, entry.character, entry.line, entry.character + 3, "Error") in brief
    assert [b for b in brief if b[0] == "unused-suppression"] == 2 * [
        ("unused-suppression", comment.line, comment.character, comment.line, end, "Information")]
    codes = sorted(str(d.code) for d in diags)
    assert codes == ["duplicate-id", "duplicate-id", "missing-handoff", "no-objective", "stage-without-goal",
                     "stage-without-kpi", "unknown-reference", "unknown-reference", "unused-suppression",
                     "unused-suppression", "yaml-ambiguous", "yaml-ambiguous"]
    assert {d.code_description.href.rsplit("/", 1)[-1] for d in diags} == {f"{c}.md" for c in codes}
    message = next(d.message for d in diags if d.code == "yaml-ambiguous" and d.range.start.line == entry.line)
    assert message.endswith("; write true")
    # the unsaved text is checked: quote the title, and its finding goes while the others stay
    fixed = text.replace("title: on", 'title: "on"')
    _change(client, uri, 2, title, t.Position(title.line, title.character + 2), '"on"')
    diags = await _diagnostics(client, uri)
    assert not [d for d in diags if d.code == "yaml-ambiguous" and d.range.start.line == title.line]
    assert sorted(str(d.code) for d in diags) == [c for c in codes if c != "yaml-ambiguous"] + ["yaml-ambiguous"]
    typo = _pos(fixed, "emial")
    to = _pos(fixed, "kickoff   #")
    brief = _brief(diags)
    assert ("unknown-reference", typo.line, typo.character, typo.line, typo.character + 5, "Error") in brief
    assert ("missing-handoff", to.line, to.character, to.line, to.character + 7, "Error") in brief
    message = next(d.message for d in diags if d.code == "unknown-reference" and d.range.start.line == typo.line)
    assert message == "unknown channel 'emial' (did you mean 'email'?)"


@pytest.mark.asyncio
async def test_a_catalog_change_refreshes_the_journeys_it_affects(client: LanguageClient) -> None:
    journey = "b2b-lead-to-customer.journey.yaml"
    uri = _open(client, journey)
    assert await _diagnostics(client, uri) == []
    catalog_text = (client.ws / "company.catalog.yaml").read_text()  # type: ignore[attr-defined]
    catalog = _open(client, "company.catalog.yaml", catalog_text)
    await _diagnostics(client, catalog)
    at = _pos(catalog_text, "id: customer-success", 4)
    client.diagnostics.pop(uri, None)
    _change(client, catalog, 2, at, t.Position(at.line, at.character + 16), "cs")
    await _diagnostics(client, uri)
    text = (client.ws / journey).read_text()  # type: ignore[attr-defined]
    expected = [(i, line.index("customer-success")) for i, line in enumerate(text.split("\n"))
                if re.match(r"\s*owner: customer-success", line)]
    got = [(d.range.start.line, d.range.start.character) for d in client.diagnostics[uri] if d.code == "unknown-reference"]
    assert got == expected and len(expected) == 2


@pytest.mark.asyncio
async def test_completion_of_ids_and_enum_values(client: LanguageClient) -> None:
    name = "b2b-lead-to-customer.journey.yaml"
    text = (client.ws / name).read_text()  # type: ignore[attr-defined]
    uri = _open(client, name)
    owner = _pos(text, "owner: customer-success", len("owner: "))
    result = await client.text_document_completion_async(t.CompletionParams(t.TextDocumentIdentifier(uri), owner))
    items = {i.label: i.detail for i in result.items}
    assert items["customer-success"] == "Customer success"
    assert items["sales"] == "Sales" and items["marketing"] == "Marketing"
    to = _pos(text, "to: support-renewal/support-ticket", len("to: "))
    result = await client.text_document_completion_async(t.CompletionParams(t.TextDocumentIdentifier(uri), to))
    labels = {i.label for i in result.items}
    assert "support-renewal/support-ticket" in labels and "kickoff-call" in labels
    assert not any(label.startswith("support-renewal/") and label != "support-renewal/support-ticket" for label in labels)
    (entry,) = [i for i in result.items if i.label == "support-renewal/support-ticket"]
    resolved = await client.completion_item_resolve_async(entry)
    other = yaml_data(client.ws / "support-renewal.journey.yaml")  # type: ignore[attr-defined]
    name = next(tp["name"] for s in other["stages"] for tp in s["touchpoints"] if tp["id"] == "support-ticket")
    assert resolved.detail == f"{name} (entry of journey support-renewal)"
    kind = _pos(text, "kind: external", len("kind: "))
    result = await client.text_document_completion_async(t.CompletionParams(t.TextDocumentIdentifier(uri), kind))
    assert [(i.label, i.detail) for i in result.items] == [
        ("peripheral", "Seen in public, outside the company's own channels: a referral, word of mouth, a review."),
        ("external", "A channel the company runs for customers: website, store, app, social account."),
        ("internal", "Customer service and the internal processes the customer reaches.")]


@pytest.mark.asyncio
async def test_definition_references_hover_and_symbols(client: LanguageClient) -> None:
    name = "b2b-lead-to-customer.journey.yaml"
    ws: Path = client.ws  # type: ignore[attr-defined]
    text = (ws / name).read_text()
    other = (ws / "support-renewal.journey.yaml").read_text()
    catalog = (ws / "company.catalog.yaml").read_text()
    uri = _open(client, name)
    link = _pos(text, "to: support-renewal/support-ticket", len("to: support-renewal/"))
    found = await client.text_document_definition_async(t.DefinitionParams(t.TextDocumentIdentifier(uri), link))
    target = _pos(other, "id: support-ticket", 4)
    assert [(d.uri, d.range.start, d.range.end) for d in found] == [
        (_uri(client, "support-renewal.journey.yaml"), target, t.Position(target.line, target.character + 14))]
    journey_half = _pos(text, "to: support-renewal/support-ticket", len("to: "))
    found = await client.text_document_definition_async(t.DefinitionParams(t.TextDocumentIdentifier(uri), journey_half))
    assert [(d.uri, d.range.start) for d in found] == [(_uri(client, "support-renewal.journey.yaml"),
                                                        _pos(other, "id: support-renewal", 4))]
    owner = _pos(text, "owner: customer-success", len("owner: "))
    refs = await client.text_document_references_async(t.ReferenceParams(
        text_document=t.TextDocumentIdentifier(uri), position=owner,
        context=t.ReferenceContext(include_declaration=True)))
    expected = {(_uri(client, f), line) for f in ("b2b-lead-to-customer.journey.yaml", "support-renewal.journey.yaml",
                                                  "company.catalog.yaml")
                for line, content in enumerate((ws / f).read_text().split("\n"))
                if re.match(r"\s*(owner|- id): customer-success\s*$", content)}
    assert {(r.uri, r.range.start.line) for r in refs} == expected and len(expected) >= 4
    shown = await client.text_document_hover_async(t.HoverParams(t.TextDocumentIdentifier(uri), owner))
    assert shown.contents.value.startswith("**team `customer-success`** — Customer success")
    assert f"company.catalog.yaml:{_pos(catalog, 'id: customer-success').line + 1}" in shown.contents.value
    tp = _pos(text, "- to: kickoff-call", len("- to: "))
    shown = await client.text_document_hover_async(t.HoverParams(t.TextDocumentIdentifier(uri), tp))
    assert "**touchpoint `kickoff-call`** — Kickoff call" in shown.contents.value
    assert "owner: customer-success" in shown.contents.value and "channel: video-call" in shown.contents.value
    symbols = await client.text_document_document_symbol_async(t.DocumentSymbolParams(t.TextDocumentIdentifier(uri)))
    import yaml

    data = yaml.safe_load(text)
    assert [(s.name, [c.name for c in s.children]) for s in symbols] == [
        (s["id"], [tp["id"] for tp in s["touchpoints"]]) for s in data["stages"]]
    assert symbols[0].selection_range.start == _pos(text, "id: " + data["stages"][0]["id"], 4)


@pytest.mark.asyncio
async def test_hover_on_a_diagnostic_explains_the_rule(client: LanguageClient) -> None:
    text = BROKEN.read_text().replace("title: on", 'title: "on"')
    uri = _open(client, "broken.journey.yaml", text)
    await _diagnostics(client, uri)
    shown = await client.text_document_hover_async(t.HoverParams(t.TextDocumentIdentifier(uri),
                                                                 _pos(text, "kickoff   #", 2)))
    assert "**missing-handoff** (error): the customer passes between two teams with no hand-off declared" \
        in shown.contents.value
    assert "This is where journeys break" in shown.contents.value


@pytest.mark.asyncio
async def test_rename_across_the_workspace_and_refusals(client: LanguageClient) -> None:
    name = "b2b-lead-to-customer.journey.yaml"
    ws: Path = client.ws  # type: ignore[attr-defined]
    text = (ws / name).read_text()
    uri = _open(client, name)
    owner = _pos(text, "owner: customer-success", len("owner: "))
    edit = await client.text_document_rename_async(_rename(uri, owner, "cs"))
    expected = {}
    for f in ("b2b-lead-to-customer.journey.yaml", "support-renewal.journey.yaml", "company.catalog.yaml"):
        content = (ws / f).read_text()
        expected[_uri(client, f)] = sorted((m.start() - content.rfind("\n", 0, m.start()) - 1,
                                            content.count("\n", 0, m.start()))
                                           for m in re.finditer(r"(?<=owner: )customer-success$|(?<=- id: )customer-success$",
                                                                content, re.M))
    got = {u: sorted((e.range.start.character, e.range.start.line) for e in edits) for u, edits in edit.changes.items()}
    assert got == expected
    assert all(e.new_text == "cs" and e.range.end.character - e.range.start.character == 16
               for edits in edit.changes.values() for e in edits)
    with pytest.raises(Exception, match="team id 'sales' is already taken"):
        await client.text_document_rename_async(_rename(uri, owner, "sales"))
    with pytest.raises(Exception, match="'bad id' is not a valid id"):
        await client.text_document_rename_async(_rename(uri, owner, "bad id"))
    # renaming a journey renames the journey half of links into it, in other files
    other = (ws / "support-renewal.journey.yaml").read_text()
    other_uri = _open(client, "support-renewal.journey.yaml")
    edit = await client.text_document_rename_async(t.RenameParams(
        text_document=t.TextDocumentIdentifier(other_uri), position=_pos(other, "id: support-renewal", 4),
        new_name="renewal"))
    link = _pos(text, "support-renewal/support-ticket")
    assert {u: [(e.range.start, e.range.end.character, e.new_text) for e in es] for u, es in edit.changes.items()} == {
        other_uri: [(_pos(other, "id: support-renewal", 4), _pos(other, "id: support-renewal", 4).character + 15,
                     "renewal")],
        uri: [(link, link.character + 15, "renewal")]}


@pytest.mark.asyncio
async def test_code_actions_come_from_the_fix_engine(client: LanguageClient) -> None:
    text = BROKEN.read_text().replace("title: on", 'title: "on"')
    uri = _open(client, "broken.journey.yaml", text)
    await _diagnostics(client, uri)
    typo = _pos(text, "emial")
    actions = await client.text_document_code_action_async(t.CodeActionParams(
        text_document=t.TextDocumentIdentifier(uri), range=t.Range(typo, typo),
        context=t.CodeActionContext(diagnostics=[])))
    assert [(a.title, a.is_preferred) for a in actions] == [
        ("Change to 'email'", True),
        ("Declare channel 'emial' in this journey (unsafe: is it a typo, or a catalog id?) [unsafe]", False)]
    (edit,) = actions[0].edit.changes[uri]
    assert (edit.range.start, edit.range.end, edit.new_text) == (typo, t.Position(typo.line, typo.character + 5),
                                                                 "email")
    to = _pos(text, "kickoff   #")
    actions = await client.text_document_code_action_async(t.CodeActionParams(
        text_document=t.TextDocumentIdentifier(uri), range=t.Range(to, to),
        context=t.CodeActionContext(diagnostics=[])))
    (handoff,) = [a for a in actions if a.diagnostics[0].code == "missing-handoff"]
    (edit,) = handoff.edit.changes[uri]
    end = t.Position(to.line, to.character + len("kickoff   # go"))
    assert (edit.range.start, edit.range.end) == (end, end)
    assert edit.new_text == '\n            handoff:\n              trigger: "TODO: the event that passes the customer on"'


@pytest.mark.asyncio
async def test_settings_and_catalogs_changed_on_disk_refresh_open_journeys(client: LanguageClient) -> None:
    ws: Path = client.ws  # type: ignore[attr-defined]
    text = BROKEN.read_text().replace("title: on", 'title: "on"')
    uri = _open(client, "broken.journey.yaml", text)
    assert "missing-handoff" in {d.code for d in await _diagnostics(client, uri)}
    (registration,) = client.registrations  # type: ignore[attr-defined]
    assert registration.method == t.WORKSPACE_DID_CHANGE_WATCHED_FILES
    assert "**/.journeyctl.yaml" in [w["globPattern"] for w in registration.register_options["watchers"]]
    (ws / ".journeyctl.yaml").write_text("rules:\n  missing-handoff: \"off\"\n")
    client.diagnostics.pop(uri, None)
    client.workspace_did_change_watched_files(t.DidChangeWatchedFilesParams(
        [t.FileEvent((ws / ".journeyctl.yaml").as_uri(), t.FileChangeType.Created)]))
    codes = {d.code for d in await _diagnostics(client, uri)}
    assert "missing-handoff" not in codes and "unknown-reference" in codes
    # a catalog saved by another tool: the open journey that uses its team sees the change
    b2b = _open(client, "b2b-lead-to-customer.journey.yaml")
    assert await _diagnostics(client, b2b) == []
    catalog = ws / "company.catalog.yaml"
    catalog.write_text(catalog.read_text().replace("- id: customer-success", "- id: cs"))
    client.diagnostics.pop(b2b, None)
    client.workspace_did_change_watched_files(t.DidChangeWatchedFilesParams(
        [t.FileEvent(catalog.as_uri(), t.FileChangeType.Changed)]))
    assert {(d.code, d.message) for d in await _diagnostics(client, b2b)} == {
        ("unknown-reference", "unknown team 'customer-success': declare it under 'teams'")}


@pytest.mark.asyncio
async def test_rename_a_touchpoint_renames_links_from_other_journeys(client: LanguageClient) -> None:
    ws: Path = client.ws  # type: ignore[attr-defined]
    other = (ws / "support-renewal.journey.yaml").read_text()
    text = (ws / "b2b-lead-to-customer.journey.yaml").read_text()
    uri = _open(client, "support-renewal.journey.yaml")
    at = _pos(other, "- id: support-ticket", len("- id: "))
    edit = await client.text_document_rename_async(_rename(uri, at, "ticket"))
    local = [m.start() for m in re.finditer(r"(?<=to: )support-ticket\b|(?<=- id: )support-ticket\b", other)]
    link = _pos(text, "support-renewal/support-ticket", len("support-renewal/"))
    got = {u: sorted((e.range.start.line, e.range.start.character, e.range.end.character, e.new_text) for e in es)
           for u, es in edit.changes.items()}
    assert got == {
        uri: sorted((_pos(other, "", i).line, _pos(other, "", i).character, _pos(other, "", i).character + 14, "ticket")
                    for i in local),
        _uri(client, "b2b-lead-to-customer.journey.yaml"): [(link.line, link.character, link.character + 14, "ticket")]}


@pytest.mark.asyncio
async def test_completion_inside_a_flow_list(client: LanguageClient) -> None:
    name = "b2b-lead-to-customer.journey.yaml"
    ws: Path = client.ws  # type: ignore[attr-defined]
    text = (ws / name).read_text()
    uri = _open(client, name)
    at = _pos(text, "personas: [finance-director, ", len("personas: [finance-director, "))
    result = await client.text_document_completion_async(t.CompletionParams(t.TextDocumentIdentifier(uri), at))
    items = {i.label: i.detail for i in result.items}
    assert items["it-admin"] == "Priya, IT and security lead" and "finance-director" in items
    assert not {"sales", "marketing"} & set(items)  # teams are not personas


@pytest.mark.asyncio
async def test_positions_count_utf16_code_units(client: LanguageClient) -> None:
    text = BROKEN.read_text().replace("title: on", 'title: "on"').replace(
        "- {id: kickoff,", '- {id: kickoff, name: "Kick-off 😀 café",')
    uri = _open(client, "broken.journey.yaml", text)
    diags = await _diagnostics(client, uri)
    line = next(i for i, content in enumerate(text.split("\n")) if "ghost" in content)
    prefix = text.split("\n")[line].split("ghost")[0]
    (ghost,) = [d for d in diags if "ghost" in d.message]
    assert len(prefix.encode("utf-16-le")) // 2 == len(prefix) + 1  # the emoji is two UTF-16 code units
    assert (ghost.range.start.line, ghost.range.start.character, ghost.range.end.character) == (
        line, len(prefix) + 1, len(prefix) + 1 + len("ghost"))


HOSTILE = [
    "",
    "# only a comment\n",
    "- a list\n- not a journey\n",
    "journeyctl: 1\nid: h\nstages: 5\n",
    "journeyctl: 1\nid: h\nstages: [1, [2], {touchpoints: x}, {touchpoints: [3, {id: [t]}]}]\n",
    "journeyctl: 1\nid: h\npersonas: 3\nteams: [x, {id: 7}]\nstages:\n  - id: s\n    touchpoints:\n"
    "      - id: t\n        owner: [a]\n        personas: x\n        next: 7\n        kpis: {a: b}\n",
    "journeyctl: 1\nid: [h]\nstages:\n  - touchpoints:\n      - {id: t, next: [{to: [x]}, {to: /}, {to: a/b/c}]}\n",
    "journeyctl: 1\nid: h\ntitle: 'unclosed\nstages: [\n",
    "a: &x [*x]\n",
]


@pytest.mark.asyncio
async def test_every_feature_answers_on_broken_documents(client: LanguageClient) -> None:
    """Bad input never gets a traceback: every request on every line of broken files returns normally."""
    for n, text in enumerate(HOSTILE):
        uri = _open(client, f"hostile{n}.journey.yaml", text)
        await _diagnostics(client, uri)
        doc = t.TextDocumentIdentifier(uri)
        for line, content in enumerate(text.split("\n")):
            for character in sorted({0, len(content) // 2, len(content)}):
                at = t.Position(line, character)
                await client.text_document_hover_async(t.HoverParams(doc, at))
                await client.text_document_completion_async(t.CompletionParams(doc, at))
                await client.text_document_definition_async(t.DefinitionParams(doc, at))
                await client.text_document_references_async(t.ReferenceParams(
                    text_document=doc, position=at, context=t.ReferenceContext(include_declaration=True)))
                await client.text_document_code_action_async(t.CodeActionParams(
                    text_document=doc, range=t.Range(at, at), context=t.CodeActionContext(diagnostics=[])))
        await client.text_document_document_symbol_async(t.DocumentSymbolParams(doc))
    assert client.error is None


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "journeyctl", "lsp"],
                                              server_env=ENV))
async def sub_client(lsp_client: LanguageClient, request: pytest.FixtureRequest):
    """An editor opened on a sub-folder of a workspace whose settings and catalog sit above it."""
    tmp: Path = request.getfixturevalue("tmp_path")
    ws = tmp / "ws"
    (ws / "teams" / "renewals").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "company.catalog.yaml", ws)
    shutil.copy(ROOT / "examples" / "support-renewal.journey.yaml", ws / "teams" / "renewals")
    (ws / ".journeyctl.yaml").write_text("rules: {}\n")
    lsp_client.ws = ws / "teams" / "renewals"  # type: ignore[attr-defined]
    await lsp_client.initialize_session(t.InitializeParams(capabilities=client_capabilities("neovim"),
                                                           root_uri=(ws / "teams" / "renewals").as_uri()))
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_an_editor_opened_on_a_sub_folder_sees_the_workspace_catalogs(sub_client: LanguageClient) -> None:
    uri = _open(sub_client, "support-renewal.journey.yaml")
    assert await _diagnostics(sub_client, uri) == []  # customer-success and the personas come from the catalog
