// The crew pages' service worker (scope /mobile/): keeps the offline page and its scripts, and a
// copy of the journey data the crew opened today, so a journey opens without signal.
// - pages under /mobile/: from the network; without one, the offline page (/crew/offline.html);
// - /crew/ scripts: from the cache, refreshed in the background;
// - GET /api/mobile/journeys and /api/mobile/journey/{id}: from the network (copy kept), else the copy
//   (the pages keep a copy too, in the same cache, so the first visit's data is there as well).
const ASSETS = "ccrm-crew-assets-v1";
const ASSET_URLS = ["/crew/offline.html", "/crew/main.js", "/crew/outbox.js", "/crew/view.js"];
const today = () => `ccrm-crew-data-${new Date().toISOString().slice(0, 10)}`;
const DATA_PATH = /^\/api\/mobile\/(journeys|journey\/\d+)$/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(ASSETS).then((cache) => cache.addAll(ASSET_URLS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n !== ASSETS && n !== today()).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

async function keepCopy(request) {
  try {
    const response = await fetch(request);
    if (response.ok) (await caches.open(today())).put(request, response.clone());
    return response;
  } catch (error) {
    const copy = await caches.match(request);
    if (copy) return copy;
    throw error;
  }
}

async function asset(request) {
  const cache = await caches.open(ASSETS);
  const copy = await cache.match(request);
  const fresh = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone());
    return response;
  });
  if (copy) {
    fresh.catch(() => {});
    return copy;
  }
  return fresh;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== location.origin) return;
  if (request.mode === "navigate" && url.pathname.startsWith("/mobile")) {
    event.respondWith(fetch(request).catch(() => caches.match("/crew/offline.html")));
  } else if (url.pathname.startsWith("/crew/")) {
    event.respondWith(asset(request));
  } else if (DATA_PATH.test(url.pathname)) {
    event.respondWith(keepCopy(request));
  }
});
