// The notice every open page of the account shows when its credentials or
// devices change (ASVS 2.2.3, 2.5.5): what happened, where and when, and
// what to do when it was not you. Shown until dismissed; newest on top.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { dispatch } from "../hooks.js";
import { api } from "../net/api.js";
import { navigate } from "../router.js";
import { describe, onSecurityEvent } from "../security_events.js";

// The password form is in Settings (views/PasswordForm.js where present).
const toSettings = () => {
  navigate("/settings");
  setTimeout(() => (document.getElementById("password-title") ?? document.getElementById("security"))?.scrollIntoView(), 50);
};
const SHOWN = 3; // more at once would push the page away; Settings lists them all

export function SecurityNotice() {
  const [events, setEvents] = useState([]);
  useEffect(() => onSecurityEvent((e) => setEvents((old) => [e, ...old.filter((o) => o.id !== e.id)].slice(0, SHOWN))), []);
  if (!events.length) return null;
  const dismiss = (id) => setEvents((old) => old.filter((e) => e.id !== id));
  const endOthers = () => confirm("Sign out every other browser and app signed in with your password? This one stays signed in.")
    && api.del("/me/sessions").then(() => dispatch({ type: "ui/notice", text: "Every other browser is signed out." }),
      (err) => dispatch({ type: "ui/notice", text: err.message }));
  // "Not you?" only for what was done as the user: an admin's change is not a stranger's.
  return events.map((e) => html`<div class="banner banner-security" role="alert" key=${e.id}>
    <span>${describe(e)}${e.by === "self" && " Not you?"}</span>
    ${e.by === "self" && html`<button class="link" onClick=${() => { dismiss(e.id); toSettings(); }}>Change your password</button>
    <button class="link" onClick=${endOthers}>Sign out everywhere else</button>`}
    <button class="link" onClick=${() => dismiss(e.id)} aria-label="Dismiss this security notice">Dismiss</button>
  </div>`);
}
