// Client-side routes: /, /c/<id>, /new, /contacts, /search, /settings, /admin,
// /safety/<user id>.
// The server answers each of them with the same shell (chatd/api/web.py).
import { store } from "./store/index.js";

export function navigate(path, { replace = false } = {}) {
  if (path === location.pathname) return;
  history[replace ? "replaceState" : "pushState"](null, "", path);
  store.dispatch({ type: "ui/navigate", path });
}

window.addEventListener("popstate", () => store.dispatch({ type: "ui/navigate", path: location.pathname }));

// Same-origin links inside the app change the route without a page load.
export function onLink(event) {
  const href = event.currentTarget.getAttribute("href");
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  navigate(href);
}
