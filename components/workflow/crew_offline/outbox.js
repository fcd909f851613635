// The crew phone's outbox: every action is written to IndexedDB first and delivered, in the order
// it was made, over the JSON crew API once there is a connection. Nothing is ever dropped: an
// action leaves the phone only when the server has recorded it (or had recorded it already), and
// one the server refuses stays here, with the server's reason, until the crew dismisses it.
//
// ACTION FORMAT (one record of the "actions" store; `seq` gives the order):
//   { seq,            // auto-increment: the order the actions were made in
//     key,            // crypto.randomUUID(): the idempotency key the server stores with the record
//     userId, journeyId,
//     kind,           // "phase.start" | "phase.complete" | "item.record" (more kinds: clock events…)
//     phase,          // "MORNING_PREP", "PICKUP", …
//     made_at,        // ISO time on the phone when the crew tapped (the server bounds it)
//     item_key, value, signer,   // for "item.record"
//     consent,                   // a signature: the customer's consent (domain/documents/consent.py)
//     blob, mediaKind, media_id, // a photo or signature: kept as a Blob until uploaded, then its id
//     label,          // what the crew sees in the waiting list ("Lights working")
//     state,          // "waiting" | "refused"
//     reason }        // the server's words when refused
// Delivery: POST /api/mobile/journey/{journeyId}/actions with {key, kind, phase, made_at, item_key,
// value, media_id, signer, consent} and a bearer token from GET /api/mobile/outbox-token (the page's session
// cookie). A new kind needs only a server entry in domain/workflow/outbox.py's APPLY.

const DB_NAME = "ccrm-crew";
const STORE = "actions";
const RETRY_MS = 3000;
const listeners = new Set();
let dbPromise = null;
let token = null;
let draining = null;
let retryTimer = null;

function db() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const open = indexedDB.open(DB_NAME, 1);
      open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
  }
  return dbPromise;
}

async function tx(mode, work) {
  const database = await db();
  return new Promise((resolve, reject) => {
    const transaction = database.transaction(STORE, mode);
    const result = work(transaction.objectStore(STORE));
    transaction.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

export async function all(userId) {
  const rows = (await tx("readonly", (store) => store.getAll())) || [];
  return rows.filter((a) => a.userId === userId).sort((a, b) => a.seq - b.seq);
}

const put = (action) => tx("readwrite", (store) => store.put(action));
const remove = (seq) => tx("readwrite", (store) => store.delete(seq));

function changed() {
  for (const listener of listeners) listener();
}

export function onChange(listener) {
  listeners.add(listener);
}

/** Write an action to the phone (it shows at once), then try to send it. */
export async function enqueue(userId, journeyId, fields) {
  const action = { key: crypto.randomUUID(), userId, journeyId, made_at: new Date().toISOString(),
                   state: "waiting", ...fields };
  await tx("readwrite", (store) => store.add(action));
  changed();
  drain(userId);
  return action;
}

export async function dismiss(seq) {
  await remove(seq);
  changed();
}

async function freshToken(force) {
  if (token && !force) return token;
  const response = await fetch("/api/mobile/outbox-token", { credentials: "same-origin", cache: "no-store" });
  if (!response.ok) throw new Transient(response.status === 401 ? "signed-out" : "unavailable");
  token = (await response.json()).data.token;
  return token;
}

class Transient extends Error {}

async function send(path, init, retried = false) {
  let response;
  try {
    const bearer = await freshToken(retried);
    response = await fetch(path, { ...init, headers: { ...(init.headers || {}), Authorization: `Bearer ${bearer}` } });
  } catch (error) {
    throw error instanceof Transient ? error : new Transient("offline");
  }
  if (response.status === 401 && !retried) return send(path, init, true);
  if (response.status >= 500 || [401, 408, 429].includes(response.status)) throw new Transient(String(response.status));
  let body = {};
  try {
    body = await response.json();
  } catch {
    throw new Transient("unreadable answer");
  }
  return { ok: response.ok, body };
}

async function upload(action) {
  const form = new FormData();
  form.append("file", action.blob, action.mediaKind === "SIGNATURE" ? "signature.png" : "photo.jpg");
  form.append("kind", action.mediaKind);
  return send(`/api/mobile/journey/${action.journeyId}/media`, { method: "POST", body: form });
}

async function deliver(action) {
  if (action.blob && !action.media_id) {
    const stored = await upload(action);
    if (!stored.ok) return stored;
    action.media_id = stored.body.data.id;
    await put(action); // uploaded once: a retry sends only the record
  }
  const { key, kind, phase, made_at, item_key, value, media_id, signer, consent } = action;
  return send(`/api/mobile/journey/${action.journeyId}/actions`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ key, kind, phase, made_at, item_key: item_key ?? null, value: value ?? null,
                           media_id: media_id ?? null, signer: signer ?? null, consent: consent ?? null }),
  });
}

export const state = { sending: false, lastError: null };

/** Send the waiting actions one after the other, in the order made; stop at the first network failure. */
export function drain(userId) {
  if (draining) return draining;
  draining = (async () => {
    state.sending = true;
    changed();
    try {
      for (;;) { // one at a time, re-read each time: actions made meanwhile are sent in their turn
        const action = (await all(userId)).find((a) => a.state === "waiting");
        if (!action) break;
        const answer = await deliver(action);
        if (answer.ok) {
          await remove(action.seq);
        } else {
          Object.assign(action, { state: "refused", reason: answer.body.message || "refused by the server" });
          await put(action);
        }
        changed();
      }
      state.lastError = null;
    } catch (error) {
      state.lastError = error instanceof Transient ? error.message : String(error);
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => drain(userId), RETRY_MS);
    } finally {
      state.sending = false;
      draining = null;
      changed();
    }
  })();
  return draining;
}
