// Load BPMN 2.0 files with bpmn-moddle (the bpmn.io parser every bpmn-js modeler uses).
//
// Usage: node tests/bpmn/moddle.mjs NODE_MODULES_PARENT FILE.bpmn...
// Output: a JSON array, one entry per file: {warnings: [messages], error, root, process, lanes, flowElements,
//   conditions, extensions, diagramElements}: what the parser understood, so a test can compare it with
// the journey (and see any warning bpmn-moddle raised, which the suite requires to be none).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [base, ...files] = process.argv.slice(2);
if (!base) {
  process.stderr.write("usage: moddle.mjs NODE_MODULES_PARENT FILE.bpmn...\n");
  process.exit(2);
}
const require = createRequire(join(resolve(base), "package.json"));
const { BpmnModdle } = await import(pathToFileURL(require.resolve("bpmn-moddle")).href);
const moddle = new BpmnModdle();

// A generic (extension) element as plain data: its attributes, its text and its children.
function plain(v) {
  const out = { type: v.$type };
  for (const [key, value] of Object.entries(v)) if (!key.startsWith("$")) out[key] = value;
  if (v.$body !== undefined) out.text = v.$body;
  if (v.$children) out.children = v.$children.map(plain);
  return out;
}

const results = [];
for (const file of files) {
  try {
    const { rootElement, warnings } = await moddle.fromXML(readFileSync(file, "utf8"), "bpmn:Definitions");
    const process_ = rootElement.rootElements.find((e) => e.$type === "bpmn:Process");
    const flowElements = (process_.flowElements || []).map((e) => ({
      type: e.$type, id: e.id, name: e.name ?? null,
      source: e.sourceRef ? e.sourceRef.id : null, target: e.targetRef ? e.targetRef.id : null,
      condition: e.conditionExpression ? e.conditionExpression.body : null,
      incoming: (e.incoming || []).map((f) => f.id), outgoing: (e.outgoing || []).map((f) => f.id),
    }));
    const lanes = ((process_.laneSets || [])[0]?.lanes || []).map((l) => ({
      name: l.name, nodes: (l.flowNodeRef || []).map((n) => n.id),
    }));
    const extensions = {};
    for (const e of process_.flowElements || []) {
      const values = e.extensionElements?.values || [];
      if (values.length) extensions[e.id] = values.map(plain);
    }
    const plane = rootElement.diagrams[0].plane;
    const diagramElements = plane.planeElement.map((d) => d.bpmnElement ? d.bpmnElement.id : null);
    results.push({ warnings: warnings.map((w) => w.message), root: rootElement.$type, process: process_.name,
                   lanes, flowElements, extensions, diagramElements });
  } catch (err) {
    results.push({ error: String(err && err.message || err), warnings: (err.warnings || []).map((w) => w.message) });
  }
}
process.stdout.write(JSON.stringify(results));
