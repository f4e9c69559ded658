// The properties panel: what our process contract needs of an element, no more
// (docs/process-contract.md): a lane's role, a user task's form, timers in working days,
// conditions on a gateway's flows, the decision a business rule task calls, a script.
// Every change goes through bpmn-js commands, so undo/redo and the saved XML follow.

const WORKING_DAYS = /^\s*working_days_after\(\s*(\d+)\s*\)\s*$/;
const TIMER_KINDS = ["timeDate", "timeDuration", "timeCycle"];

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter(Boolean));
  return node;
}

let fieldCount = 0;

function field(label, control, hint) {
  fieldCount += 1;
  control.id = control.id || `prop-${fieldCount}`;
  return el(
    "div",
    { class: "prop-field" },
    el("label", { for: control.id, text: label }),
    control,
    hint ? el("p", { class: "prop-hint", text: hint }) : null,
  );
}

function select(options, current, onChange, extra = {}) {
  const node = el("select", { ...extra, onchange: (e) => onChange(e.target.value) });
  for (const [value, label] of options) {
    node.append(el("option", { value, text: label, selected: value === current }));
  }
  return node;
}

function textInput(value, onChange, extra = {}) {
  return el("input", { type: "text", value: value || "", ...extra, onchange: (e) => onChange(e.target.value) });
}

function textArea(value, onChange, extra = {}) {
  const node = el("textarea", { rows: 4, spellcheck: "false", ...extra, onchange: (e) => onChange(e.target.value) });
  node.value = value || "";
  return node;
}

function is(bo, type) {
  return bo && typeof bo.$instanceOf === "function" && bo.$instanceOf(type);
}

export class PropertiesPanel {
  /** @param {object} modeler bpmn-js Modeler; @param {object} options {container, config, messages, decisions} */
  constructor(modeler, { container, config, messages, decisions }) {
    this.modeler = modeler;
    this.container = container;
    this.config = config;
    this.m = messages;
    this.decisions = decisions; // () => [[id, name], ...] from the DMN files open beside
    this.modeling = modeler.get("modeling");
    this.moddle = modeler.get("moddle");
    this.element = null;
    const bus = modeler.get("eventBus");
    bus.on("selection.changed", (event) => this.show(event.newSelection[0] || null));
    bus.on("elements.changed", (event) => {
      if (this.element && event.elements.some((e) => e.id === this.element.id)) {
        this.show(modeler.get("elementRegistry").get(this.element.id) || null);
      }
    });
    this.show(null);
  }

  show(element) {
    this.element = element;
    const m = this.m;
    this.container.replaceChildren();
    if (!element || element.type === "label") {
      this.container.append(el("h2", { text: m.panel_title }), el("p", { class: "muted", text: m.panel_empty }));
      return;
    }
    const bo = element.businessObject;
    this.container.append(
      el("h2", { text: `${m.panel_title}: ${bo.name || bo.id}` }),
      el("p", { class: "muted", text: `${bo.$type.replace("bpmn:", "")} · ${bo.id}` }),
    );
    const parts = [];
    if (is(bo, "bpmn:Lane")) parts.push(...this.laneFields(element, bo));
    else parts.push(field(m.field_name, textInput(bo.name, (v) => this.modeling.updateLabel(element, v), { name: "name" })));
    if (bo.$type === "bpmn:Task") parts.push(this.makeUserTask(element));
    if (is(bo, "bpmn:UserTask") || is(bo, "bpmn:ManualTask")) parts.push(...this.humanTaskFields(element, bo));
    if (is(bo, "bpmn:BusinessRuleTask")) parts.push(this.decisionField(element, bo));
    if (is(bo, "bpmn:ScriptTask")) {
      parts.push(field(m.field_script, textArea(bo.script, (v) => this.modeling.updateProperties(element, { script: v }), { name: "script" }), m.hint_sandbox));
    }
    const timer = (bo.eventDefinitions || []).find((d) => is(d, "bpmn:TimerEventDefinition"));
    if (timer) parts.push(...this.timerFields(element, timer));
    if (is(bo, "bpmn:SequenceFlow") && this.isConditional(bo)) parts.push(this.conditionField(element, bo));
    this.container.append(...parts);
  }

  // --- lanes ---------------------------------------------------------------------------

  laneFields(element, bo) {
    const m = this.m;
    const roles = Object.entries(this.config.roles);
    const current = bo.name || "";
    const options = [...roles];
    if (!this.config.roles[current]) options.unshift([current, current ? `${current} — ${m.not_a_role}` : m.choose_role]);
    return [
      field(m.field_role, select(options, current, (v) => this.modeling.updateProperties(element, { name: v }), { name: "role" }), m.hint_role),
    ];
  }

  laneOf(bo) {
    const lanes = this.modeler.get("elementRegistry").filter((e) => e.type === "bpmn:Lane");
    const holding = lanes.filter((lane) => (lane.businessObject.flowNodeRef || []).includes(bo));
    return holding.length ? holding[holding.length - 1].businessObject : null;
  }

  // --- tasks ---------------------------------------------------------------------------

  makeUserTask(element) {
    const replace = this.modeler.get("bpmnReplace");
    return el("p", {}, el("button", {
      type: "button",
      class: "secondary",
      text: this.m.make_user_task,
      onclick: () => this.modeler.get("selection").select(replace.replaceElement(element, { type: "bpmn:UserTask" })),
    }));
  }

  humanTaskFields(element, bo) {
    const m = this.m;
    const form = this.property(bo, "form");
    const options = [["", `${m.form_by_id} (${this.config.forms[bo.id] ? this.config.forms[bo.id] : bo.id})`], ...Object.entries(this.config.forms)];
    if (form && !this.config.forms[form]) options.push([form, `${form} — ${m.unknown_form}`]);
    const lane = this.laneOf(bo);
    const laneText = lane ? `${lane.name || lane.id}${this.config.roles[lane.name] ? ` — ${this.config.roles[lane.name]}` : ` — ${m.not_a_role}`}` : m.no_lane;
    const laneShape = lane && this.modeler.get("elementRegistry").get(lane.id);
    return [
      field(m.field_form, select(options, form || "", (v) => this.setProperty(element, "form", v), { name: "form" }), m.hint_form),
      el("div", { class: "prop-field" },
        el("p", { class: "prop-label", text: m.field_lane }),
        el("p", { text: laneText }),
        laneShape ? el("button", {
          type: "button", class: "secondary", text: m.edit_lane,
          onclick: () => this.modeler.get("selection").select(laneShape),
        }) : null),
    ];
  }

  decisionField(element, bo) {
    const m = this.m;
    const current = this.extension(bo, "spiffworkflow:CalledDecisionId")?.value || "";
    const options = [["", m.choose_decision], ...this.decisions()];
    if (current && !options.some(([id]) => id === current)) options.push([current, `${current} — ${m.unknown_decision}`]);
    return field(m.field_called_decision, select(options, current, (v) => this.setCalledDecision(element, v), { name: "decision" }));
  }

  // --- timers --------------------------------------------------------------------------

  timerFields(element, timer) {
    const m = this.m;
    const kind = TIMER_KINDS.find((k) => timer[k]) || "timeDate";
    const body = timer[kind]?.body || "";
    const days = kind === "timeDate" ? WORKING_DAYS.exec(body)?.[1] : undefined;
    const setTimer = (newKind, text) => {
      const values = Object.fromEntries(TIMER_KINDS.map((k) => [k, undefined]));
      values[newKind] = this.moddle.create("bpmn:FormalExpression", { body: text });
      this.modeling.updateModdleProperties(element, timer, values);
    };
    return [
      field(m.field_working_days, el("input", {
        type: "number", min: "0", max: "365", name: "working_days", value: days ?? "",
        onchange: (e) => e.target.value !== "" && setTimer("timeDate", `working_days_after(${Number(e.target.value)})`),
      }), m.hint_working_days),
      field(m.field_timer_kind, select(TIMER_KINDS.map((k) => [k, m[`timer_${k}`]]), kind, (v) => setTimer(v, body), { name: "timer_kind" })),
      field(m.field_timer, textInput(body, (v) => setTimer(kind, v), { name: "timer" }), m.hint_timer),
    ];
  }

  // --- conditions ----------------------------------------------------------------------

  isConditional(bo) {
    const source = bo.sourceRef;
    return is(source, "bpmn:ExclusiveGateway") || is(source, "bpmn:InclusiveGateway") || !!bo.conditionExpression;
  }

  conditionField(element, bo) {
    const m = this.m;
    const isDefault = bo.sourceRef?.default === bo;
    return field(m.field_condition, textArea(bo.conditionExpression?.body, (v) => {
      const expression = v.trim() ? this.moddle.create("bpmn:FormalExpression", { body: v.trim() }) : undefined;
      this.modeling.updateProperties(element, { conditionExpression: expression });
    }, { name: "condition", rows: 2 }), isDefault ? m.hint_default_flow : m.hint_condition);
  }

  // --- extension elements --------------------------------------------------------------

  extension(bo, type) {
    return (bo.extensionElements?.values || []).find((v) => v.$type === type);
  }

  property(bo, name) {
    const holder = this.extension(bo, "spiffworkflow:Properties");
    return (holder?.properties || []).find((p) => p.name === name)?.value || "";
  }

  ensureExtensions(element, bo) {
    if (!bo.extensionElements) {
      const extensions = this.moddle.create("bpmn:ExtensionElements", { values: [] });
      this.modeling.updateModdleProperties(element, bo, { extensionElements: extensions });
    }
    return bo.extensionElements;
  }

  setProperty(element, name, value) {
    const bo = element.businessObject;
    const extensions = this.ensureExtensions(element, bo);
    let holder = this.extension(bo, "spiffworkflow:Properties");
    if (!holder) {
      holder = this.moddle.create("spiffworkflow:Properties", { properties: [] });
      this.modeling.updateModdleProperties(element, extensions, { values: [...extensions.values, holder] });
    }
    const others = (holder.properties || []).filter((p) => p.name !== name);
    const properties = value ? [...others, this.moddle.create("spiffworkflow:Property", { name, value })] : others;
    this.modeling.updateModdleProperties(element, holder, { properties });
  }

  setCalledDecision(element, value) {
    const bo = element.businessObject;
    const extensions = this.ensureExtensions(element, bo);
    const others = extensions.values.filter((v) => v.$type !== "spiffworkflow:CalledDecisionId");
    const values = value ? [...others, this.moddle.create("spiffworkflow:CalledDecisionId", { value })] : others;
    this.modeling.updateModdleProperties(element, extensions, { values });
  }
}
