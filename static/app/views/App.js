// Signed out: the sign-in screen. Signed in: the app's frame (Shell.js),
// loaded only then, so the sign-in page needs few modules and paints fast.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { useSelector } from "../hooks.js";
import { Auth } from "./Auth.js";

let loadShell = null;

export function App() {
  const status = useSelector((s) => s.session.status);
  const [shell, setShell] = useState(null);
  useEffect(() => {
    if (status !== "in" || shell) return;
    loadShell ??= import("./Shell.js");
    loadShell.then((m) => setShell(() => m.Shell));
  }, [status]);
  if (status === "out") return html`<${Auth} />`;
  if (status === "in" && shell) return html`<${shell} />`;
  return html`<p class="boot-note">Loading chatd…</p>`;
}
