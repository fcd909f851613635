// Boots the crew outbox on a phone page (data-mode="page": the NiceGUI page, online) or on the
// offline page the service worker serves when a journey is opened without signal (data-mode="shell").
// - a bar at the bottom says how many actions wait to send, and lists what the server refused, with why;
// - while there is no connection (no network, or the page's socket is down) and until what was done
//   meanwhile is sent, the journey is worked in the offline view (view.js) instead of the live page;
// - once everything is sent and the socket is back, the live page is shown and redrawn from the server.
import * as outbox from "/crew/outbox.js";
import { draw, h } from "/crew/view.js";

const host = document.getElementById("ccrm-crew");
const shell = host.dataset.mode === "shell";
const match = location.pathname.match(/^\/mobile\/journey\/(\d+)/);
const journeyId = match ? Number(match[1]) : null;
if (host.dataset.user) localStorage.setItem("ccrm-crew-user", host.dataset.user);
const userId = Number(host.dataset.user || localStorage.getItem("ccrm-crew-user") || 0);

const ctx = { data: null, actions: [], keep: {}, note: "", messages: h("div", { "aria-live": "polite", style: "color:#b71c1c;font-size:17px" }) };
const view = h("main", { id: "ccrm-offline-view", "data-testid": "offline-view", hidden: true,
  style: "max-width:480px;margin:0 auto;padding-bottom:160px;font-family:system-ui,sans-serif;color:#212121" });
const bar = h("div", { id: "ccrm-outbox-bar", role: "status", "aria-live": "polite",
  style: "position:fixed;left:0;right:0;bottom:0;z-index:9000;max-width:480px;margin:0 auto;font:17px/1.35 system-ui,sans-serif" });
document.body.append(view, bar);
let shown = false;

const socketUp = () => shell || (window.socket && window.socket.connected && window.did_handshake);
const online = () => navigator.onLine && socketUp();

ctx.say = (message) => {
  ctx.messages.textContent = message;
};
ctx.act = async (fields) => {
  const phase = fields.phase || currentPhase();
  ctx.say("");
  await outbox.enqueue(userId, journeyId, { phase, ...fields });
};

function currentPhase() {
  const waiting = ctx.actions.filter((a) => a.state === "waiting" && a.journeyId === journeyId);
  let phase = ctx.data.workflow.current_phase;
  for (const a of waiting) {
    if (a.kind === "phase.complete") {
      const order = ctx.data.workflow.phases.map((p) => p.phase);
      phase = order[Math.min(order.indexOf(a.phase) + 1, order.length - 1)];
    }
  }
  return phase;
}

async function loadJourney() {
  if (!journeyId) { // the list page: read the list so the worker keeps a copy for the offline page
    if (!shell) {
      fetch("/api/mobile/journeys", { credentials: "same-origin" })
        .then((response) => response.ok && keepCopy("/api/mobile/journeys", response)).catch(() => {});
    }
    return;
  }
  try {
    const url = `/api/mobile/journey/${journeyId}`;
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) return;
    if (!shell) await keepCopy(url, response.clone());
    ctx.data = (await response.json()).data;
  } catch {
    // no signal and not in the phone's cache: said on screen below
  }
}

/** Keep a copy for the offline page (in the cache the service worker answers from without signal). */
async function keepCopy(url, response) {
  try {
    await (await caches.open(`ccrm-crew-data-${new Date().toISOString().slice(0, 10)}`)).put(url, response);
  } catch {
    // no cache storage (private mode): the journey just cannot be opened offline
  }
}

function drawBar() {
  const waiting = ctx.actions.filter((a) => a.state === "waiting");
  const refused = ctx.actions.filter((a) => a.state === "refused");
  const rows = [];
  if (waiting.length) {
    const words = `${waiting.length} waiting to send` + (outbox.state.sending && navigator.onLine ? " — sending…" : "");
    rows.push(h("div", { "data-testid": "outbox-count", "data-count": waiting.length,
      style: "min-height:48px;display:flex;align-items:center;padding:0 16px;background:#263238;color:#fff;font-weight:600" }, words));
  }
  for (const action of refused) {
    rows.push(h("div", { "data-testid": "outbox-refused", style: "background:#ffebee;color:#8e0000;padding:8px 16px;display:flex;gap:8px;align-items:center;border-top:1px solid #e57373" },
      h("div", { style: "flex:1" }, h("strong", {}, `Not recorded: ${action.label || action.kind}`), h("br"), action.reason),
      h("button", { type: "button", style: "min-height:48px;min-width:96px;font-size:16px;border-radius:8px;border:2px solid #8e0000;background:#fff;color:#8e0000",
        onclick: () => outbox.dismiss(action.seq) }, "Dismiss")));
  }
  bar.replaceChildren(...rows);
  document.body.style.paddingBottom = `${bar.offsetHeight}px`; // the bar never hides the page's last button
}

let probing = false;
/** The offline page, once everything is sent and the server answers: load the live page. */
async function backToLivePage() {
  if (probing) return;
  probing = true;
  try {
    if ((await fetch("/health", { cache: "no-store" })).ok) return location.reload();
  } catch {
    // the server is not there yet
  }
  probing = false;
  setTimeout(refresh, 3000);
}

let told = false;
/** Tell the live page whether the offline view covers it (it then skips redraws until it is back). */
function tellPage() {
  if (shell || !socketUp() || told === shown) return;
  told = shown;
  window.emitEvent("ccrm_offline_view", { shown });
}

let backLive = false;
function drawView() {
  drawViewOnly();
  tellPage();
  if (backLive) {
    backLive = false;
    window.emitEvent("ccrm_reconnected"); // the live page redraws from the server
  }
}

function drawViewOnly() {
  const waiting = ctx.actions.some((a) => a.state === "waiting");
  if (shell && !waiting && navigator.onLine) backToLivePage();
  const wanted = shell || !online() || waiting;
  const app = document.getElementById("app");
  if (!wanted) {
    view.hidden = true;
    if (app) app.style.display = "";
    if (shown) {
      shown = false;
      backLive = true;
    }
    return;
  }
  if (shell && !journeyId) return drawList();
  if (!ctx.data) {
    view.hidden = false;
    view.replaceChildren(h("p", { style: "padding:16px;font-size:18px", "data-testid": "ob-not-cached" },
      "This journey was not opened on this phone today, so it cannot be shown without a connection."));
    return;
  }
  ctx.note = navigator.onLine && socketUp() ? "Sending what was done without signal…"
    : "No signal — what you do is saved on this phone and sent when the connection is back.";
  draw(view, { ...ctx, actions: ctx.actions.filter((a) => a.journeyId === journeyId) });
  view.hidden = false;
  if (app) app.style.display = "none";
  shown = true;
}

async function drawList() {
  view.hidden = false;
  let journeys = [];
  try {
    journeys = (await (await fetch("/api/mobile/journeys", { credentials: "same-origin" })).json()).data;
  } catch {
    journeys = [];
  }
  view.replaceChildren(h("header", { style: "background:#0d47a1;color:#fff;padding:12px 16px;font:600 20px system-ui" }, "My journeys (no signal)"),
    ...journeys.filter((j) => j.days_from_today === 0).map((j) => h("a", { href: `/mobile/journey/${j.id}`,
      style: "display:block;min-height:48px;padding:12px 16px;border-bottom:1px solid #bdbdbd;color:#0d47a1;font-size:18px" },
    `${j.customer_name} · ${j.origin_address || ""}`)));
}

let staleCopy = false;
async function refresh() {
  if (staleCopy && !outbox.state.sending) {
    staleCopy = false;
    await loadJourney();
  }
  ctx.actions = userId ? await outbox.all(userId) : [];
  drawBar();
  if (journeyId || shell) drawView();
}

outbox.onChange(refresh);
window.addEventListener("online", () => { outbox.drain(userId); refresh(); });
window.addEventListener("offline", refresh);
function watchSocket() {
  if (shell) return;
  if (!window.socket) return setTimeout(watchSocket, 100);
  window.socket.on("disconnect", refresh);
  window.socket.on("connect", () => setTimeout(function again() { // after NiceGUI's handshake
    if (window.did_handshake) refresh();
    else if (window.socket.connected) setTimeout(again, 50);
  }, 0));
}

window.ccrmCrew = { // for the live page (reload the copy after a change) and for tests
  refresh: async () => { // the live page changed: read the copy again (once the outbox is done sending)
    if (outbox.state.sending) {
      staleCopy = true;
      return;
    }
    await loadJourney();
    await refresh();
  },
  enqueue: (fields) => outbox.enqueue(userId, journeyId, fields),
  waiting: async () => (await outbox.all(userId)).filter((a) => a.state === "waiting").length,
  /** How many actions wait and how many were refused, as last drawn (synchronous, for tests). */
  counts: () => ({ waiting: ctx.actions.filter((a) => a.state === "waiting").length,
                   refused: ctx.actions.filter((a) => a.state === "refused").length, sending: outbox.state.sending }),
};

if ("serviceWorker" in navigator && !shell) {
  navigator.serviceWorker.register("/crew/sw.js", { scope: "/mobile/" }).catch(() => {});
}
watchSocket();
await loadJourney();
await refresh();
if (userId) outbox.drain(userId);
