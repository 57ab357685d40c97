// chatd's service worker: keeps the app shell (the page, its modules, CSS,
// icons) so the app opens with no network. Never API answers: those live in
// the store and IndexedDB. Network first, so a new release shows at once
// when online; the cache answers only when the network does not.
const CACHE = "chatd-shell-v1";

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

// The page names what it loaded before this worker controlled it.
self.addEventListener("message", (event) => {
  if (event.data?.type === "cache-shell") {
    event.waitUntil(caches.open(CACHE).then((c) => c.addAll(event.data.urls.filter(isShell))));
  }
});

function isShell(url) {
  const { origin, pathname } = new URL(url, self.location.origin);
  if (origin !== self.location.origin) return false;
  return pathname === "/" || pathname === "/manifest.webmanifest" || pathname.startsWith("/static/");
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const navigation = request.mode === "navigate";
  if (!navigation && !isShell(request.url)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // Every client route (/c/<id>...) is the same shell.
    const key = navigation ? "/" : request;
    try {
      const answer = await fetch(request);
      if (answer.ok) await cache.put(key, answer.clone());
      return answer;
    } catch (err) {
      const kept = await cache.match(key, { ignoreSearch: true });
      if (kept) return kept;
      throw err;
    }
  })());
});
