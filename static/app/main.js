// Boot: paint what IndexedDB kept at once, then ask the server who we are
// and go live. A 401 shows the sign-in screen.
import { render } from "preact";
import { html } from "./html.js";
import { store } from "./store/index.js";
import { loadAll } from "./db.js";
import { App } from "./views/App.js";
import { resumeSession } from "./session.js";
import { hydrateConversation } from "./net/sync.js";
import { applyTheme } from "./prefs.js";
import { api } from "./net/api.js";

applyTheme(store.getState().ui.prefs.theme);
window.addEventListener("online", () => store.dispatch({ type: "ui/online", online: true }));
window.addEventListener("offline", () => store.dispatch({ type: "ui/online", online: false }));

async function boot() {
  const me = api.get("/me"); // asked at once, while IndexedDB opens
  me.catch(() => {});
  const kept = await loadAll().catch(() => ({ conversations: [], users: [], outbox: [], cursor: null, me: null }));
  store.dispatch({ type: "hydrate", ...kept });
  const open = location.pathname.match(/^\/c\/([^/]+)/)?.[1];
  if (open && kept.me) await hydrateConversation(open);
  render(html`<${App} />`, document.getElementById("app"));
  document.getElementById("app").classList.remove("boot");
  resumeSession(kept.cursor, me);
  registerServiceWorker();
}

async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  await navigator.serviceWorker.ready;
  // Hand the worker what this page loaded before it was in control.
  const urls = ["/", ...performance.getEntriesByType("resource").map((e) => e.name)];
  (registration.active ?? navigator.serviceWorker.controller)?.postMessage({ type: "cache-shell", urls });
}

boot();
