"""The site's stylesheet and its one script, inlined into the pages that use them.

Inlined rather than linked so each page works on its own from file:// or any static host, and so the
Content-Security-Policy can forbid every fetch: the script is allowed by its hash, nothing else runs.
"""

from __future__ import annotations

import base64
import functools
import hashlib

CSS = """\
:root{--fg:#1d2430;--muted:#5b6575;--line:#d9dee7;--bg:#ffffff;--soft:#f4f6fa;--accent:#1f5fbf;
--err:#b42318;--err-bg:#fde8e6;--warn:#8a5a00;--warn-bg:#fff3d6;--info:#175cd3;--info-bg:#e6efff;
--ok:#106b3a;--ok-bg:#e3f5ea}
*{box-sizing:border-box}
html{font-size:15px}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--fg);background:var(--bg);line-height:1.45}
header.top{background:#17233a;color:#fff;padding:.6rem 1.5rem;display:flex;gap:1.5rem;align-items:baseline;
flex-wrap:wrap}
header.top .brand{font-weight:700;letter-spacing:.02em}
header.top nav a{color:#cfe0ff;margin-right:1.1rem;text-decoration:none}
header.top nav a:hover,header.top nav a[aria-current]{color:#fff;text-decoration:underline}
main{max-width:1280px;margin:0 auto;padding:1.2rem 1.5rem 3rem}
h1{font-size:1.65rem;margin:.4rem 0 .3rem}
h2{font-size:1.2rem;margin:2rem 0 .6rem;padding-bottom:.25rem;border-bottom:1px solid var(--line)}
h3{font-size:1.02rem;margin:1.2rem 0 .4rem}
a{color:var(--accent)}
p.lead{color:var(--muted);margin:.2rem 0 1rem;max-width:60rem}
.muted{color:var(--muted)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.86rem}
pre{background:var(--soft);border:1px solid var(--line);padding:.7rem;overflow:auto;max-height:28rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem;font-size:.93rem}
th,td{border-bottom:1px solid var(--line);padding:.38rem .5rem;text-align:left;vertical-align:top}
thead th{background:var(--soft);font-weight:600;white-space:nowrap;position:sticky;top:0}
tbody tr:nth-child(even){background:#fafbfd}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.table-wrap{overflow-x:auto}
.badge{display:inline-block;padding:.05rem .45rem;border-radius:.7rem;font-size:.78rem;font-weight:600;
background:var(--soft);color:var(--muted);border:1px solid var(--line);white-space:nowrap}
.badge.error,.badge.stale{background:var(--err-bg);color:var(--err);border-color:#f4b8b2}
.badge.warning{background:var(--warn-bg);color:var(--warn);border-color:#f0d58c}
.badge.info{background:var(--info-bg);color:var(--info);border-color:#b6cdfa}
.badge.active,.badge.fresh{background:var(--ok-bg);color:var(--ok);border-color:#a9dcbd}
.badge.retired{background:#eee;color:#666}
.badge.future{background:#efe6ff;color:#5b2bb5;border-color:#d3bff7}
.zero{color:#656d76}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:.8rem;margin:.5rem 0 1rem}
.card{border:1px solid var(--line);border-radius:.4rem;padding:.7rem .9rem;background:#fff}
.card h3{margin:0 0 .3rem}
.card ul{margin:.2rem 0 .4rem;padding-left:1.1rem}
.stat{border:1px solid var(--line);border-radius:.4rem;padding:.5rem .8rem;background:var(--soft)}
.stat b{display:block;font-size:1.35rem}
.stat span{color:var(--muted);font-size:.82rem}
.stats{display:grid;grid-template-columns:repeat(auto-fill,minmax(8.5rem,1fr));gap:.6rem;margin:.8rem 0}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.6rem 0}
dl.meta dt{color:var(--muted)}
dl.meta dd{margin:0}
details.view{border:1px solid var(--line);border-radius:.4rem;margin:.6rem 0;background:#fff}
details.view>summary{cursor:pointer;padding:.5rem .8rem;font-weight:600;background:var(--soft)}
.figure{overflow:auto;padding:.6rem;max-height:48rem;cursor:grab}
.figure:focus{outline:2px solid #0969da;outline-offset:-2px}
.figure svg{max-width:none;height:auto;display:block}
.figure.fit svg{width:100%!important;height:auto!important}
.zoombar{display:flex;gap:.4rem;align-items:center;padding:.4rem .8rem;border-bottom:1px solid var(--line)}
.zoombar button{padding:.2rem .6rem;border:1px solid #8c959f;border-radius:.3rem;background:#fff;color:#1f2328;cursor:pointer}
.zoombar output{color:#57606a;font-size:.85rem}
.placeholder{border:1px dashed #c5cbd6;background:#fbfcfe;padding:.7rem .9rem;margin:.6rem;color:var(--muted)}
.filters{display:flex;gap:.8rem;flex-wrap:wrap;align-items:center;margin:.8rem 0;padding:.6rem .8rem;
background:var(--soft);border:1px solid var(--line);border-radius:.4rem}
.filters input[type=search]{min-width:18rem;padding:.35rem .5rem;border:1px solid #b9c1ce;border-radius:.3rem}
.filters select{padding:.3rem;border:1px solid #b9c1ce;border-radius:.3rem}
th button{all:unset;cursor:pointer}
th button:focus-visible{outline:2px solid var(--accent)}
th[aria-sort=ascending] button::after{content:" \\25B2";font-size:.7em}
th[aria-sort=descending] button::after{content:" \\25BC";font-size:.7em}
td.h1{background:#eaf1fd}td.h2{background:#cfe0fa}td.h3{background:#a9c6f3}td.h4{background:#7ea7ea}
td.h5{background:#4f83d9;color:#fff}
td.missing{background:var(--err-bg);color:var(--err);font-weight:600}
.src{white-space:pre-wrap;word-break:break-word}
ul.plain{list-style:none;padding:0;margin:0}
td ul{margin:0;padding-left:1.1rem}
ul.tps{margin:0;padding-left:1rem}
.tp-meta{color:var(--muted);font-size:.82rem}
footer{color:var(--muted);font-size:.8rem;margin-top:3rem;border-top:1px solid var(--line);padding-top:.6rem}
@media print{header.top{display:none}details.view{break-inside:avoid}}
"""

# Journey pages: fit a diagram to the width, zoom it, pan it by dragging (scroll bars and the keyboard
# work too: the figure is focusable). Diagrams start fitted to the width; everything runs offline.
ZOOM_JS = """\
(function () {
  "use strict";
  var figures = document.querySelectorAll(".figure");
  Array.prototype.forEach.call(figures, function (figure) {
    var svg = figure.querySelector("svg");
    if (!svg) { return; }
    var natural = parseFloat(svg.getAttribute("width")) * 4 / 3 || svg.getBoundingClientRect().width;
    var scale = 0;
    var bar = document.createElement("div");
    bar.className = "zoombar";
    var out = document.createElement("output");
    function button(text, label, action) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = text;
      b.title = label;
      b.addEventListener("click", action);
      bar.appendChild(b);
    }
    function apply() {
      if (scale === 0) {
        figure.classList.add("fit");
        svg.style.width = "";
        out.textContent = "fitted to the width";
      } else {
        figure.classList.remove("fit");
        svg.style.width = Math.round(natural * scale) + "px";
        out.textContent = Math.round(scale * 100) + "%";
      }
    }
    function current() { return scale || svg.getBoundingClientRect().width / natural; }
    button("Fit width", "Fit the diagram to the width", function () { scale = 0; apply(); });
    button("Zoom out", "Zoom out by a fifth", function () { scale = Math.max(0.1, current() / 1.25); apply(); });
    button("Zoom in", "Zoom in by a quarter", function () { scale = Math.min(8, current() * 1.25); apply(); });
    button("100%", "Actual size", function () { scale = 1; apply(); });
    bar.appendChild(out);
    figure.parentNode.insertBefore(bar, figure);
    var drag = null;
    figure.addEventListener("pointerdown", function (e) {
      drag = {x: e.clientX, y: e.clientY, left: figure.scrollLeft, top: figure.scrollTop};
    });
    window.addEventListener("pointerup", function () { drag = null; });
    figure.addEventListener("pointermove", function (e) {
      if (!drag) { return; }
      figure.scrollLeft = drag.left - (e.clientX - drag.x);
      figure.scrollTop = drag.top - (e.clientY - drag.y);
    });
    apply();
  });
})();
"""

INDEX_JS = """\
(function () {
  "use strict";
  var table = document.getElementById("journeys");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  rows.forEach(function (row, i) { row.setAttribute("data-order", String(i)); });
  var q = document.getElementById("q");
  var status = document.getElementById("f-status");
  var state = document.getElementById("f-state");
  var stale = document.getElementById("f-stale");
  var count = document.getElementById("count");
  document.getElementById("filters").hidden = false;
  var params = new URLSearchParams(window.location.search);
  if (params.has("q")) { q.value = params.get("q"); }
  if (params.has("status")) { status.value = params.get("status"); }
  if (params.has("state")) { state.value = params.get("state"); }
  if (params.get("stale") === "1") { stale.checked = true; }

  function apply() {
    var terms = q.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-search") || "";
      var ok = terms.every(function (t) { return text.indexOf(t) !== -1; }) &&
        (!status.value || row.getAttribute("data-status") === status.value) &&
        (!state.value || row.getAttribute("data-state") === state.value) &&
        (!stale.checked || row.getAttribute("data-stale") === "1");
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + (rows.length === 1 ? " journey shown" : " journeys shown");
    table.setAttribute("data-shown", String(shown));
  }

  function key(row, col, numeric) {
    var cell = row.cells[col];
    var value = cell.getAttribute("data-sort");
    if (value === null) { value = cell.textContent.trim(); }
    return numeric ? parseFloat(value) || 0 : value.toLowerCase();
  }

  function sortBy(col, direction) {
    var th = table.tHead.rows[0].cells[col];
    var numeric = th.getAttribute("data-type") === "num";
    var sign = direction === "descending" ? -1 : 1;
    rows.sort(function (a, b) {
      var x = key(a, col, numeric), y = key(b, col, numeric);
      if (x < y) { return -sign; }
      if (x > y) { return sign; }
      return Number(a.getAttribute("data-order")) - Number(b.getAttribute("data-order"));
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", direction);
    rows.forEach(function (row) { body.appendChild(row); });
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    var button = th.querySelector("button");
    if (!button) { return; }
    button.addEventListener("click", function () {
      sortBy(col, th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending");
    });
  });
  if (params.has("sort")) {
    var wanted = params.get("sort");
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      if (th.getAttribute("data-key") === wanted) {
        sortBy(col, params.get("dir") === "desc" ? "descending" : "ascending");
      }
    });
  }
  [q, status, state, stale].forEach(function (el) {
    el.addEventListener("input", apply);
    el.addEventListener("change", apply);
  });
  apply();
}());
"""


@functools.lru_cache(maxsize=16)
def script_hash(script: str) -> str:
    """The CSP source that allows exactly this inline script (every journey page asks for the same one)."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"
