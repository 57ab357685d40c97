// Settings > Security activity: the account's recent security events, newest
// first (GET /me/security-activity, paged; new ones arrive live).
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { api } from "../net/api.js";
import { describe, onSecurityEvent } from "../security_events.js";

const PAGE = 20;

export function SecurityActivity() {
  const [items, setItems] = useState([]);
  const [more, setMore] = useState(false);
  const [failed, setFailed] = useState(null);
  const load = (before) => api.get("/me/security-activity", before ? { before, limit: PAGE } : { limit: PAGE })
    .then((page) => { setItems((old) => (before ? [...old, ...page.items] : page.items)); setMore(page.has_more); },
      (err) => setFailed(err.message));
  useEffect(() => { load(); }, []);
  useEffect(() => onSecurityEvent((e) => setItems((old) => [e, ...old.filter((o) => o.id !== e.id)])), []);
  return html`<div class="stack card" id="security">
    <h3>Security activity</h3>
    <p class="muted">Changes to your password, sign-ins, devices and tokens. If one was not you, change your password and
      sign out everywhere else.</p>
    ${failed && html`<p class="warning" role="alert">${failed}</p>`}
    ${!failed && !items.length && html`<p class="muted">Nothing yet.</p>`}
    <ul class="security-activity">${items.map((e) => html`<li key=${e.id}>${describe(e)}</li>`)}</ul>
    ${more && html`<div><button class="button" onClick=${() => load(items[items.length - 1].id)}>Show older</button></div>`}
  </div>`;
}
