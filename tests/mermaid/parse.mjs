// Parse many Mermaid diagrams with the real Mermaid parser, in one Node process.
//
// Usage: node tests/mermaid/parse.mjs NODE_MODULES_PARENT < diagrams.json > results.json
// Input: a JSON array of diagram texts. Output: a JSON array, one entry per diagram:
//   {ok: true, type, ...structure} or {ok: false, error}.
// The structure is what the parser understood, with Mermaid's entity codes decoded to text, so a test
// can check that a hostile label came through as the same text (and not as syntax):
//   flowchart: vertices [{id, text}], edges [{start, end, text}], subgraphs [{id, title, nodes}]
//   journey:   title, sections [..], tasks [{section, task, score, people}]
// mermaid and jsdom are installed by the test suite under NODE_MODULES_PARENT (tests/.node).
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const base = process.argv[2];
if (!base) {
  process.stderr.write("usage: parse.mjs NODE_MODULES_PARENT < diagrams.json\n");
  process.exit(2);
}
const require = createRequire(join(resolve(base), "package.json"));
const { JSDOM } = require("jsdom");
const dom = new JSDOM("<!DOCTYPE html><html><body></body></html>", { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import(pathToFileURL(require.resolve("mermaid")).href);
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });

// Mermaid hides `#name;` codes behind placeholders while parsing (encodeEntities); undo that, then
// let the DOM decode the resulting HTML entities, exactly as a browser would show them.
const textarea = dom.window.document.createElement("textarea");
function decode(text) {
  if (typeof text !== "string") return text;
  const html = text.replace(/ﬂ°°/g, "&#").replace(/ﬂ°/g, "&").replace(/¶ß/g, ";");
  textarea.innerHTML = html;
  return textarea.value;
}

let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const text of JSON.parse(input)) {
  try {
    const parsed = await mermaid.parse(text);
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const db = diagram.db;
    const result = { ok: true, type: parsed.diagramType };
    if (parsed.diagramType.startsWith("flowchart")) {
      result.vertices = [...db.getVertices().values()].map((v) => ({ id: v.id, text: decode(v.text) }));
      result.edges = db.getEdges().map((e) => ({ start: e.start, end: e.end, text: decode(e.text) }));
      result.subgraphs = db.getSubGraphs().map((s) => ({ id: s.id, title: decode(s.title), nodes: s.nodes }));
    } else if (parsed.diagramType === "journey") {
      result.title = db.getDiagramTitle();
      result.sections = db.getSections();
      result.tasks = db.getTasks().map((t) => ({ section: t.section, task: t.task, score: t.score, people: t.people }));
    }
    // The diagram databases are singletons that the next parse clears and refills: copy now.
    results.push(JSON.parse(JSON.stringify(result)));
  } catch (error) {
    results.push({ ok: false, error: String((error && error.message) || error).slice(0, 1000) });
  }
}
process.stdout.write(JSON.stringify(results));
