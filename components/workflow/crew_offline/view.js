// The journey as the phone knows it without the server: the last copy of the journey's data
// (job sheet, phases, checklist) with the actions still waiting in the outbox applied on top,
// and the inputs of the current phase, which write to the outbox. Shown while there is no
// connection (and until what was done offline has been sent), and by the offline page that the
// service worker serves when a journey is opened without signal.

const TOUCH = "min-height:56px";
const BUTTON = `${TOUCH};width:100%;border-radius:8px;font:600 18px/1.2 system-ui,sans-serif;padding:8px 12px;`;
const PRIMARY = `${BUTTON}background:#1565c0;color:#fff;border:0`;
const OUTLINE = `${BUTTON}background:#fff;color:#0d47a1;border:2px solid #1565c0`;
const DONE_PHASES = ["COMPLETED", "APPROVED"];
// Phases whose inventory the live page works (lines at pickup, checks at delivery): not offline.
const INVENTORY_PHASES = ["PICKUP", "DELIVERY"];
const STATUS_WORDS = { PENDING: "Not started", IN_PROGRESS: "In progress", COMPLETED: "Completed", APPROVED: "Approved" };
const MAX_PHOTO_SIDE = 2048;
const SIGNATURE_WIDTH = 600;

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

export function clock(iso, timezone) {
  return new Intl.DateTimeFormat("en-GB", { timeZone: timezone, hour: "2-digit", minute: "2-digit", hour12: false })
    .format(new Date(iso));
}

function satisfied(item) {
  const records = item.records;
  if (!records.length) return false;
  if (item.kind === "CHECK") return records[records.length - 1].data.value === true;
  if (item.kind === "PHOTO" || item.kind === "SIGNATURE") return records.some((r) => r.media_id || r.blob);
  return true;
}

/** The workflow with the waiting actions applied (a copy: the snapshot is left as it was). */
export function effective(workflow, actions) {
  const view = JSON.parse(JSON.stringify(workflow));
  const phaseOf = (name) => view.phases.find((p) => p.phase === name);
  for (const action of actions) {
    if (action.state !== "waiting") continue;
    const phase = phaseOf(action.phase);
    if (!phase) continue;
    if (action.kind === "phase.start" || action.kind === "item.record") {
      if (phase.status === "PENDING") phase.status = "IN_PROGRESS";
    }
    if (action.kind === "item.record") {
      const item = phase.items.find((i) => i.key === action.item_key);
      if (!item) continue;
      const data = action.signer ? { signer: action.signer } : (action.blob ? {} : (
        typeof action.value === "object" && action.value !== null ? action.value : { value: action.value }));
      item.records.push({ data, media_id: action.media_id || null, blob: action.blob || null,
                          created_at: action.made_at, waiting: true });
      item.done = satisfied(item);
    } else if (action.kind === "phase.complete") {
      phase.status = "COMPLETED";
      const next = view.phases.find((p) => !DONE_PHASES.includes(p.status));
      if (next && next.status === "PENDING") next.status = "IN_PROGRESS";
      view.current_phase = next ? next.phase : "COMPLETION";
    }
  }
  for (const phase of view.phases) {
    // what the server counted besides the items (truck, crew, unchecked inventory) stays missing
    const labels = new Set(phase.items.map((i) => i.label));
    const beyond = (phase.missing || []).filter((label) => !labels.has(label));
    phase.missing = phase.items.filter((i) => i.required && !i.done).map((i) => i.label).concat(beyond);
  }
  const done = view.phases.filter((p) => DONE_PHASES.includes(p.status)).length;
  view.progress = Math.round((done * 100) / view.phases.length);
  return view;
}

/** A photo reduced in the browser to what the server keeps (longest side, JPEG). */
export async function reducePhoto(file) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, MAX_PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
}

function signaturePad(keep, key) {
  if (keep[key]) return keep[key];
  const canvas = h("canvas", { "data-testid": `ob-pad-${key}`, role: "img", "aria-label": "Signature pad",
    style: "touch-action:none;width:100%;height:200px;display:block;background:#fff;border:2px dashed #757575;border-radius:8px" });
  const pad = { canvas, strokes: 0 };
  let last = null;
  const point = (event) => {
    const box = canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  };
  const context = () => {
    const box = canvas.getBoundingClientRect();
    if (canvas.width !== Math.round(box.width)) { // sized on first use, once laid out
      canvas.width = Math.round(box.width);
      canvas.height = Math.round(box.height);
    }
    return Object.assign(canvas.getContext("2d"), { lineWidth: 3, lineCap: "round", strokeStyle: "#111" });
  };
  canvas.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    last = point(event);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!last) return;
    const next = point(event);
    const ctx = context();
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    ctx.lineTo(next.x, next.y);
    ctx.stroke();
    last = next;
  });
  const up = () => { if (last) pad.strokes += 1; last = null; };
  canvas.addEventListener("pointerup", up);
  canvas.addEventListener("pointercancel", up);
  pad.clear = () => {
    canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
    pad.strokes = 0;
  };
  pad.png = () => new Promise((resolve) => {
    const out = document.createElement("canvas");
    out.width = Math.min(SIGNATURE_WIDTH, canvas.width);
    out.height = Math.round((canvas.height * out.width) / canvas.width);
    const ctx = out.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(canvas, 0, 0, out.width, out.height);
    out.toBlob(resolve, "image/png");
  });
  keep[key] = pad;
  return pad;
}

/** The consent to sign electronically (ESIGN/UETA), accepted with the signer's typed name before
 *  the pad shows; kept with the signature and checked again by the server. */
function consentBox(ctx, key, accepted) {
  const text = ctx.data.consent;
  if (!text) return h("p", { style: "margin:0;color:#b71c1c" }, "Open this journey once with signal before the customer signs.");
  const name = kept(ctx.keep, `consent-name-${key}`, () => h("input", { "aria-label": "Your full name",
    placeholder: "Your full name", autocomplete: "name", "data-testid": `ob-consent-name-${key}`, maxlength: 120,
    style: `${TOUCH};width:100%;font-size:18px;padding:8px;box-sizing:border-box;border:1px solid #757575;border-radius:6px` }));
  const problem = h("div", { role: "alert", style: "color:#b71c1c" });
  const accept = () => {
    const typed = name.value.trim();
    if (!typed) { problem.textContent = "Type your full name to accept"; return; }
    const given = { version: text.version, accepted_at: new Date().toISOString(), name: typed };
    ctx.keep[`consent-${key}`] = given;
    if (navigator.geolocation) { // the position when the phone gives one (never waited for)
      navigator.geolocation.getCurrentPosition(
        (p) => { given.position = { lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy }; },
        () => {}, { timeout: 5000, maximumAge: 60000 });
    }
    accepted();
  };
  return h("section", { "data-testid": `ob-consent-${key}`, "aria-label": text.title,
    style: "display:grid;gap:8px;border:1px solid #bdbdbd;border-radius:8px;padding:12px" },
  h("div", { style: "font:600 18px system-ui,sans-serif" }, text.title), h("p", { style: "margin:0;font-size:16px" }, text.text),
  h("p", { style: "margin:0;font-size:15px;color:#424242" }, text.paper_copy), name, problem,
  h("button", { type: "button", style: PRIMARY, "data-testid": `ob-consent-accept-${key}`, onclick: accept },
    "I accept, sign electronically"));
}

function kept(keep, id, make) {
  if (!keep[id]) keep[id] = make();
  return keep[id];
}

function waitingNote(item, timezone) {
  const waiting = item.records.filter((r) => r.waiting);
  if (!waiting.length) return null;
  const at = clock(waiting[waiting.length - 1].created_at, timezone);
  return h("div", { style: "color:#5d4200;font-size:15px" }, `Saved on this phone at ${at} · waiting to send`);
}

function thumbs(item) {
  const pictures = item.records.filter((r) => r.blob || r.media_id).map((r) => h("img", {
    src: r.blob ? URL.createObjectURL(r.blob) : `/api/media/${r.media_id}/thumbnail`, alt: item.label,
    style: "width:96px;height:96px;object-fit:cover;border-radius:6px" }));
  return pictures.length ? h("div", { style: "display:flex;gap:8px;flex-wrap:wrap" }, pictures) : null;
}

function itemInput(item, ctx) {
  const record = (value, extra = {}) => ctx.act({ kind: "item.record", item_key: item.key, value, label: item.label, ...extra });
  const latest = item.records.length ? item.records[item.records.length - 1].data : {};
  const key = item.key;
  if (item.kind === "CHECK") {
    return h("button", { type: "button", role: "checkbox", "aria-checked": String(item.done), "data-testid": `ob-check-${key}`,
      style: `${OUTLINE};text-align:left;${item.done ? "background:#e8f5e9;border-color:#2e7d32;color:#1b5e20" : ""}`,
      onclick: () => record(!item.done) }, `${item.done ? "☑" : "☐"}  ${item.label}`);
  }
  if (item.kind === "NUMBER" || item.kind === "TEXT") {
    const field = kept(ctx.keep, `field-${key}`, () => item.kind === "NUMBER"
      ? h("input", { type: "number", inputmode: "decimal", "aria-label": item.label, "data-testid": `ob-number-${key}`,
          min: item.options.min, max: item.options.max, style: `${TOUCH};width:100%;font-size:18px;padding:8px;box-sizing:border-box;border:1px solid #757575;border-radius:6px` })
      : h("textarea", { "aria-label": item.label, "data-testid": `ob-text-${key}`, maxlength: item.options.max_length || 2000,
          style: "min-height:96px;width:100%;font-size:18px;padding:8px;box-sizing:border-box;border:1px solid #757575;border-radius:6px" }));
    const save = () => {
      if (item.kind === "TEXT") return record(field.value || "");
      const value = Number(field.value);
      if (field.value === "" || Number.isNaN(value)) return ctx.say(`${item.label}: enter a number first`);
      return record(value);
    };
    return h("div", { style: "display:grid;gap:8px" }, h("label", { style: "font-size:17px" }, item.label), field,
      h("button", { type: "button", style: OUTLINE, "data-testid": `ob-save-${key}`, onclick: save }, "Save"));
  }
  if (item.kind === "CHOICE") {
    return h("div", { style: "display:grid;gap:8px" }, h("div", { style: "font-size:17px" }, item.label),
      h("div", { style: "display:flex;gap:8px" }, (item.options.choices || []).map((choice) => h("button", {
        type: "button", "aria-pressed": String(latest.value === choice), "data-testid": `ob-choice-${key}-${choice}`,
        style: latest.value === choice ? PRIMARY : OUTLINE, onclick: () => record(choice) },
      choice.charAt(0).toUpperCase() + choice.slice(1)))));
  }
  if (item.kind === "READING") {
    const position = item.options.reading === "position";
    const take = position ? () => navigator.geolocation.getCurrentPosition(
      (p) => record({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy }),
      (e) => ctx.say(`No position: ${e.message || "location refused"}`), { enableHighAccuracy: true, timeout: 15000 })
      : () => record({ time: new Date().toISOString() });
    const shown = latest.time ? ` · ${clock(latest.time, ctx.timezone)}` : "";
    return h("button", { type: "button", style: item.done ? OUTLINE : PRIMARY, "data-testid": `ob-now-${key}`, onclick: take },
      position ? "Record my position" : `${item.label}: now${shown}`);
  }
  if (item.kind === "PHOTO") {
    const input = h("input", { type: "file", accept: "image/*", capture: "environment", "data-testid": `ob-photo-${key}`,
      style: "position:absolute;width:1px;height:1px;opacity:0", onchange: async () => {
        const file = input.files && input.files[0];
        if (!file) return;
        let blob = null;
        try { blob = await reducePhoto(file); } catch { blob = null; }
        if (!blob) return ctx.say("That file is not a photo");
        return record(null, { blob, mediaKind: "PHOTO" });
      } });
    return h("div", { style: "display:grid;gap:8px" }, h("div", { style: "font-size:17px" }, item.label), thumbs(item),
      h("label", { style: `${item.records.length ? OUTLINE : PRIMARY};display:flex;align-items:center;justify-content:center;cursor:pointer` },
        item.records.length ? "Add another photo" : "Take photo", input));
  }
  if (item.kind === "SIGNATURE") {
    const pad = signaturePad(ctx.keep, key);
    const signing = h("div", { "data-testid": `ob-signer-${key}`, style: "font-size:17px;font-weight:600" });
    const sign = h("div", { style: "display:grid;gap:8px" }, signing, pad.canvas, h("div", { style: "display:flex;gap:8px" },
      h("button", { type: "button", style: OUTLINE, onclick: () => pad.clear() }, "Clear"),
      h("button", { type: "button", style: PRIMARY, "data-testid": `ob-sign-${key}`, onclick: () => save() }, "Save signature")));
    const consent = consentBox(ctx, key, () => show());
    const show = () => {
      const given = ctx.keep[`consent-${key}`];
      consent.hidden = Boolean(given);
      sign.hidden = !given;
      signing.textContent = given ? `Signing: ${given.name}` : "";
    };
    const save = async () => {
      const given = ctx.keep[`consent-${key}`];
      if (!pad.strokes) return ctx.say("Sign on the pad first");
      await record(null, { blob: await pad.png(), mediaKind: "SIGNATURE", signer: given.name, consent: given });
      delete ctx.keep[`consent-${key}`]; // the next signature is accepted again
      pad.clear();
      show();
    };
    show();
    return h("div", { style: "display:grid;gap:8px" }, h("div", { style: "font-size:17px" }, item.label), thumbs(item),
      consent, sign);
  }
  return h("div", {}, item.label);
}

function currentPhase(view, ctx) {
  const phase = view.phases.find((p) => p.phase === view.current_phase) || view.phases[view.phases.length - 1];
  const title = h("div", { style: "font:600 20px system-ui,sans-serif", "data-testid": "ob-phase-title" },
    `${view.phases.indexOf(phase) + 1}. ${phase.label}`);
  const box = h("section", { "data-testid": "ob-current-phase",
    style: "border:1px solid #bdbdbd;border-radius:8px;padding:12px;display:grid;gap:12px" },
  h("div", { style: "display:flex;justify-content:space-between;align-items:center" }, title,
    h("span", { style: "color:#424242" }, STATUS_WORDS[phase.status])), ctx.messages);
  if (view.journey_status === "CANCELLED") return box.append(h("div", { style: "color:#b71c1c;font-size:18px" }, "This journey was cancelled.")), box;
  if (DONE_PHASES.includes(phase.status)) {
    return box.append(h("div", { style: "color:#1b5e20;font-size:18px", "data-testid": "ob-all-done" },
      "All phases done — waiting for the manager's approval.")), box;
  }
  if (phase.phase === "CREATION" || !view.viewer_is_crew) {
    return box.append(h("div", { style: "color:#424242" }, phase.phase === "CREATION"
      ? "Waiting for dispatch to finish the job setup (truck and crew)." : "Only the crew of this journey works this phase.")), box;
  }
  if (phase.rejection_reason && phase.status === "IN_PROGRESS") {
    box.append(h("div", { style: "background:#ffebee;color:#b71c1c;padding:8px;border-radius:6px" }, `Sent back: ${phase.rejection_reason}`));
  }
  if (phase.status === "PENDING") {
    return box.append(h("button", { type: "button", style: PRIMARY, "data-testid": "ob-start",
      onclick: () => ctx.act({ kind: "phase.start", label: `Start ${phase.label}` }) }, `Start ${phase.label}`)), box;
  }
  for (const item of phase.items) {
    box.append(h("div", { "data-testid": `ob-item-${item.key}`, "data-done": String(item.done), style: "display:grid;gap:6px" },
      itemInput(item, ctx), waitingNote(item, ctx.timezone)));
  }
  if (INVENTORY_PHASES.includes(phase.phase)) {
    box.append(h("div", { "data-testid": "ob-inventory", style: "color:#424242;font-size:17px" },
      "The inventory needs a connection: it opens again as soon as the phone is back online."));
  }
  const missing = phase.missing;
  box.append(
    h("div", { style: "color:#8a3c00;font-size:17px", "data-testid": "ob-missing", hidden: !missing.length },
      `Still missing: ${missing.join(", ")}`),
    h("button", { type: "button", "data-testid": "ob-complete", style: `${PRIMARY};min-height:64px;background:${missing.length ? "#616161" : "#2e7d32"}`,
      onclick: () => (missing.length ? ctx.say(`Still missing: ${missing.join(", ")}`)
        : ctx.act({ kind: "phase.complete", label: `Complete ${phase.label}` })) }, `Complete ${phase.label}`));
  return box;
}

function sheet(card) {
  const lines = [
    ["From", card.origin_address], ["To", card.destination_address],
    ["Truck", card.truck_number], ["Crew", (card.crew || []).map((m) => m.name).join(", ")], ["Notes", card.notes],
  ].filter(([, value]) => value);
  return h("section", { "data-testid": "ob-sheet", style: "border:1px solid #bdbdbd;border-radius:8px;padding:12px;display:grid;gap:6px" },
    lines.map(([label, value]) => h("div", {}, h("div", { style: "color:#424242;font-size:14px" }, label),
      h("div", { style: "font-size:17px;white-space:pre-wrap" }, value))));
}

function stepper(view) {
  return h("ol", { "data-testid": "ob-stepper", style: "margin:0;padding-left:24px;display:grid;gap:2px;font-size:16px" },
    view.phases.map((p) => h("li", { style: p.phase === view.current_phase ? "font-weight:700" : "" },
      `${p.label}: ${STATUS_WORDS[p.status].toLowerCase()}`)));
}

/** Draw the whole view into `root`; `ctx` = {data, actions, act, say, messages, keep, note}. */
export function draw(root, ctx) {
  const { journey, workflow } = ctx.data;
  const view = effective(workflow, ctx.actions);
  ctx.timezone = journey.timezone;
  root.replaceChildren(
    h("header", { style: "background:#0d47a1;color:#fff;padding:12px 16px;display:grid;gap:2px" },
      h("div", { style: "font:600 20px system-ui,sans-serif" }, journey.customer_name),
      h("div", { style: "font-size:15px" }, [journey.job_number, journey.location_name].filter(Boolean).join(" · "))),
    h("div", { role: "status", "data-testid": "ob-note",
      style: "background:#fff3cd;color:#4a3500;padding:10px 16px;font-size:16px" }, ctx.note),
    h("div", { style: "padding:8px;display:grid;gap:12px" }, sheet(journey), stepper(view), currentPhase(view, ctx)));
}
