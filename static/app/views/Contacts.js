// Contacts: requests to answer, people I know, people I blocked; add
// someone from the directory. Message anyone accepted in one click.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { Icon } from "./Icon.js";
import { useSelector, dispatch } from "../hooks.js";
import { api } from "../net/api.js";
import { navigate, onLink } from "../router.js";
import { selectContacts } from "../store/users.js";
import { UserPicker } from "./UserPicker.js";
import { upsertConversation } from "../crypto/inbox.js";
import { Avatar } from "./Avatar.js";

const load = () => api.get("/contacts").then((r) => dispatch({ type: "contacts/loaded", items: r.items }));
const run = (fn) => fn().then(load).catch((err) => dispatch({ type: "ui/notice", text: err.message }));

function Person({ c, children }) {
  return html`<li class="person"><${Avatar} user=${c.user} size="sm" />
    <span class="person-name"><strong>${c.alias || c.user.display_name}</strong> <span class="muted">@${c.user.username}</span></span>
    ${children}</li>`;
}

export function Contacts() {
  const me = useSelector((s) => s.session.me);
  const contacts = useSelector(selectContacts);
  const [adding, setAdding] = useState(false);
  useEffect(() => { load().catch(() => {}); }, []);
  const of = (status) => (contacts ?? []).filter((c) => c.status === status);
  const message = (c) => api.post("/conversations", { kind: "direct", user_id: c.user_id }).then((conversation) => {
    upsertConversation(conversation);
    navigate("/c/" + conversation.id);
  }).catch((err) => dispatch({ type: "ui/notice", text: err.message }));
  const block = (c) => confirm(`Block ${c.user.display_name}? They will not be told.`) && run(() => api.post(`/contacts/${c.user_id}/block`));
  return html`<section class="page">
    <header class="page-head"><a class="icon-button back" href="/" onClick=${onLink} aria-label="Back"><${Icon} name="back" /></a><h2>Contacts</h2>
      <button class="button primary" onClick=${() => setAdding(!adding)} aria-expanded=${adding}>Add contact</button></header>
    ${adding && html`<${UserPicker} meId=${me.id} exclude=${(contacts ?? []).map((c) => c.user_id)} action="Ask"
      onPick=${(u) => run(() => api.post("/contacts", { user_id: u.id }))} />`}
    ${contacts === null && html`<p class="muted">Loading…</p>`}
    ${contacts?.length === 0 && html`<div class="empty small"><p>No contacts yet. Add people you talk to often.</p></div>`}
    ${of("pending_in").length > 0 && html`<h3>Requests</h3><ul class="people">${of("pending_in").map((c) => html`<${Person} c=${c}>
      <button class="button primary" onClick=${() => run(() => api.post(`/contacts/${c.user_id}/accept`))}>Accept</button>
      <button class="button" onClick=${() => run(() => api.del(`/contacts/${c.user_id}`))}>Decline</button></${Person}>`)}</ul>`}
    ${of("accepted").length > 0 && html`<h3>Contacts</h3><ul class="people">${of("accepted").map((c) => html`<${Person} c=${c}>
      <button class="button" onClick=${() => message(c)}>Message</button>
      <button class="button" onClick=${() => block(c)}>Block</button></${Person}>`)}</ul>`}
    ${of("pending_out").length > 0 && html`<h3>Waiting for an answer</h3><ul class="people">${of("pending_out").map((c) => html`<${Person} c=${c}>
      <button class="button" onClick=${() => run(() => api.del(`/contacts/${c.user_id}`))}>Cancel</button></${Person}>`)}</ul>`}
    ${of("blocked").length > 0 && html`<h3>Blocked</h3><ul class="people">${of("blocked").map((c) => html`<${Person} c=${c}>
      <button class="button" onClick=${() => run(() => api.del(`/contacts/${c.user_id}`))}>Unblock</button></${Person}>`)}</ul>`}
  </section>`;
}
