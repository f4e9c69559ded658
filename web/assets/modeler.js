// The admin modeler page: every file of a definition version open in bpmn-js (BPMN) or
// dmn-js (DMN), validated and deployed by the server (web/pages/processes.py). The page
// hands us its settings as JSON in #modeler-config; nothing here is trusted by the server.
import BpmnModeler from "bpmn-js/lib/Modeler";
import DmnModeler from "dmn-js/lib/Modeler";

import { PropertiesPanel } from "./properties.js";
import spiffworkflow from "./spiffworkflow.json";

const config = JSON.parse(document.getElementById("modeler-config").textContent);
const m = config.messages;
const $ = (id) => document.getElementById(id);
const status = $("modeler-status");
const problemList = $("modeler-problems");

/** name → {kind, xml, modeler, container, panel}: the XML is the source until a tab opens. */
const files = new Map();
let current = null;
let problems = [];

function kindOf(name) {
  const lower = name.toLowerCase();
  if (lower.endsWith(".bpmn") || lower.endsWith(".bpmn20.xml")) return "bpmn";
  if (lower.endsWith(".dmn")) return "dmn";
  return null;
}

function say(text, tone = "info") {
  status.textContent = text;
  status.dataset.tone = tone;
}

function decisions() {
  const found = [];
  for (const file of files.values()) {
    if (file.kind !== "dmn") continue;
    const doc = new DOMParser().parseFromString(file.modeler ? file.lastXml || file.xml : file.xml, "application/xml");
    for (const node of doc.getElementsByTagNameNS("*", "decision")) {
      const id = node.getAttribute("id");
      found.push([id, `${node.getAttribute("name") || id} (${id})`]);
    }
  }
  return found;
}

// --- tabs ----------------------------------------------------------------------------

function renderTabs() {
  const tabs = $("modeler-tabs");
  tabs.replaceChildren();
  for (const name of files.keys()) {
    const tab = document.createElement("button");
    tab.type = "button";
    tab.role = "tab";
    tab.textContent = name;
    tab.className = "tab";
    tab.setAttribute("aria-selected", String(name === current));
    const count = problems.filter((p) => p.file === name).length;
    if (count) {
      const badge = document.createElement("span");
      badge.className = "laurel-badge";
      badge.textContent = String(count);
      tab.append(" ", badge);
    }
    tab.addEventListener("click", () => open(name));
    tabs.append(tab);
  }
}

async function open(name) {
  current = name;
  for (const [other, file] of files) {
    if (file.container) file.container.hidden = other !== name;
    if (file.panel) file.panel.hidden = other !== name;
  }
  const file = files.get(name);
  if (!file.modeler) await mount(name, file);
  renderTabs();
  markProblems();
}

async function mount(name, file) {
  file.container = document.createElement("div");
  file.container.className = "modeler-canvas";
  file.container.dataset.file = name;
  $("modeler-canvases").append(file.container);
  if (file.kind === "bpmn") {
    file.modeler = new BpmnModeler({ container: file.container, moddleExtensions: { spiffworkflow } });
    file.panel = document.createElement("div");
    $("modeler-panel").append(file.panel);
    new PropertiesPanel(file.modeler, { container: file.panel, config, messages: m, decisions });
  } else {
    file.modeler = new DmnModeler({ container: file.container, common: { keyboard: { bindTo: window } } });
  }
  try {
    const { warnings } = await file.modeler.importXML(file.xml);
    for (const w of warnings) console.warn("import", w.message);
    if (warnings.length) say(m.import_warnings.replace("{count}", warnings.length), "warning");
    if (file.kind === "bpmn") file.modeler.get("canvas").zoom("fit-viewport");
    else openDecisionTable(file.modeler);
  } catch (error) {
    say(`${m.import_failed} ${name}: ${error.message}`, "error");
  }
}

function openDecisionTable(modeler) {
  const table = modeler.getViews().find((view) => view.type === "decisionTable");
  if (table) modeler.open(table);
}

async function sources() {
  const out = {};
  for (const [name, file] of files) {
    if (file.modeler) {
      const { xml } = await file.modeler.saveXML({ format: true });
      file.lastXml = xml;
      out[name] = xml;
    } else {
      out[name] = file.xml;
    }
  }
  return out;
}

// --- problems ------------------------------------------------------------------------

function markProblems() {
  for (const [name, file] of files) {
    if (file.kind !== "bpmn" || !file.modeler) continue;
    const canvas = file.modeler.get("canvas");
    const registry = file.modeler.get("elementRegistry");
    const overlays = file.modeler.get("overlays");
    overlays.remove({ type: "laurel-problem" });
    registry.forEach((element) => canvas.removeMarker(element, "laurel-problem"));
    for (const problem of problems) {
      if (problem.file && problem.file !== name) continue;
      const element = problem.element_id && registry.get(problem.element_id);
      if (!element) continue;
      canvas.addMarker(element, "laurel-problem");
      const badge = document.createElement("span");
      badge.className = "laurel-badge";
      badge.textContent = "!";
      badge.title = problem.message;
      overlays.add(element, "laurel-problem", { position: { top: -10, right: 10 }, html: badge });
    }
  }
}

function showProblems(list) {
  problems = list;
  problemList.replaceChildren();
  for (const problem of list) {
    const item = document.createElement("li");
    const go = document.createElement("button");
    go.type = "button";
    go.className = "link";
    go.textContent = [problem.file, problem.element_id].filter(Boolean).join(" · ") || m.document;
    go.addEventListener("click", () => reveal(problem));
    item.append(go, " ", problem.message);
    problemList.append(item);
  }
  problemList.hidden = !list.length;
  renderTabs();
  markProblems();
}

async function reveal(problem) {
  if (problem.file && files.has(problem.file)) await open(problem.file);
  const file = files.get(current);
  if (file.kind !== "bpmn") return;
  const element = problem.element_id && file.modeler.get("elementRegistry").get(problem.element_id);
  if (!element) return;
  file.modeler.get("selection").select(element);
  file.modeler.get("canvas").scrollToElement(element);
}

// --- server --------------------------------------------------------------------------

async function send(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": config.csrf, Accept: "application/json" },
    body: JSON.stringify(body),
  });
  let answer = {};
  try {
    answer = await response.json();
  } catch {
    answer = { title: `${response.status} ${response.statusText}` };
  }
  return { ok: response.ok, status: response.status, answer };
}

async function validate() {
  say(m.validating);
  const { ok, answer } = await send(config.urls.validate, { files: await sources() });
  showProblems(answer.errors || []);
  if (ok) say(m.valid, "success");
  else say(answer.title || m.model_invalid, "error");
  return ok;
}

async function deploy() {
  const comment = $("modeler-comment").value.trim();
  say(m.deploying);
  const { ok, status: code, answer } = await send(config.urls.deploy, { files: await sources(), comment });
  showProblems(answer.errors || []);
  if (!ok) {
    say(answer.title || `${code}`, "error");
    return;
  }
  $("modeler-version").textContent = answer.version;
  const link = document.createElement("a");
  link.href = answer.url;
  link.textContent = answer.message;
  status.replaceChildren(link);
  status.dataset.tone = "success";
}

// --- files in and out ----------------------------------------------------------------

async function upload(event) {
  const chosen = [...event.target.files];
  let last = null;
  for (const file of chosen) {
    const kind = kindOf(file.name);
    if (!kind) {
      say(m.wrong_file.replace("{name}", file.name), "error");
      continue;
    }
    // A BPMN file made elsewhere replaces ours: one process per definition.
    const name = kind === "bpmn" ? [...files.keys()].find((n) => files.get(n).kind === "bpmn") || file.name : file.name;
    const existing = files.get(name);
    if (existing?.container) existing.container.remove();
    if (existing?.panel) existing.panel.remove();
    files.set(name, { kind, xml: await file.text() });
    last = name;
  }
  event.target.value = "";
  if (last) {
    await open(last);
    say(m.uploaded, "success");
  }
}

async function download() {
  const all = await sources();
  const xml = all[current];
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([xml], { type: "application/xml" }));
  link.download = current;
  link.click();
  URL.revokeObjectURL(link.href);
}

// --- start ---------------------------------------------------------------------------

for (const [name, xml] of Object.entries(config.files)) files.set(name, { kind: kindOf(name), xml });
$("modeler-validate").addEventListener("click", validate);
$("modeler-deploy").addEventListener("click", deploy);
$("modeler-download").addEventListener("click", download);
$("modeler-upload").addEventListener("change", upload);
const first = [...files.keys()].find((n) => files.get(n).kind === "bpmn") || [...files.keys()][0];
// For tests and the curious: the open modelers, as a developer console would reach them.
window.laurelModeler = { files, open, bpmn: () => [...files.values()].find((f) => f.kind === "bpmn")?.modeler };
open(first).then(() => {
  document.body.dataset.modelerReady = "true";
});
