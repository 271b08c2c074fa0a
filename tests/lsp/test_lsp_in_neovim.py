"""A real editor against `journeyctl lsp`: Neovim headless, its built-in LSP client, a broken journey."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NVIM = shutil.which("nvim")

SCRIPT = r"""
local out, file, root = vim.env.OUT, vim.env.FILE, vim.env.ROOT
local got = nil
local id = vim.lsp.start_client({
  name = "journeyctl",
  cmd = {vim.env.PYTHON, "-m", "journeyctl", "lsp", "--stdio"},
  cmd_env = {PYTHONPATH = vim.env.PYTHONPATH, JOURNEYCTL_TODAY = vim.env.JOURNEYCTL_TODAY},
  root_dir = root,
  handlers = {
    ["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
      if result.uri == vim.uri_from_fname(file) then got = result.diagnostics end
    end,
  },
})
vim.cmd("edit " .. file)
vim.lsp.buf_attach_client(0, id)
local ok = vim.wait(20000, function() return got ~= nil end, 50)
local f = io.open(out, "w")
f:write(vim.fn.json_encode({ok = ok, diagnostics = got or {}}))
f:close()
vim.lsp.stop_client(id)
vim.cmd("qa!")
"""


@pytest.mark.skipif(NVIM is None, reason="Neovim (nvim) is not installed; apt-get install neovim")
def test_neovim_receives_the_diagnostics(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(ROOT / "examples", ws)
    broken = ws / "broken.journey.yaml"
    text = (ROOT / "tests" / "fixtures" / "fix" / "broken.journey.yaml").read_text().replace("title: on", 'title: "on"')
    broken.write_text(text)
    (tmp_path / "check.lua").write_text(SCRIPT)
    env = {**os.environ, "OUT": str(tmp_path / "out.json"), "FILE": str(broken), "ROOT": str(ws),
           "PYTHON": sys.executable, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    subprocess.run([NVIM, "--headless", "--clean", "-n", "-c", f"luafile {tmp_path / 'check.lua'}"], env=env,
                   cwd=ws, timeout=60, capture_output=True, check=True)
    result = json.loads((tmp_path / "out.json").read_text())
    assert result["ok"] is True
    lines = text.split("\n")
    typo = next(i for i, line in enumerate(lines) if "emial" in line)
    handoff = next(i for i, line in enumerate(lines) if "to: kickoff" in line)
    got = sorted((d["code"], d["range"]["start"]["line"], d["range"]["start"]["character"], d["severity"])
                 for d in result["diagnostics"])
    assert ("unknown-reference", typo, lines[typo].index("emial"), 1) in got
    assert ("missing-handoff", handoff, lines[handoff].index("kickoff"), 1) in got
    ghost = next(i for i, line in enumerate(lines) if "ghost" in line)
    assert ("unknown-reference", ghost, lines[ghost].index("ghost"), 1) in got
    assert {d["source"] for d in result["diagnostics"]} == {"journeyctl"}
