// A group's title, topic and members with roles. Owners and admins add
// people and edit the group; the owner changes roles; anyone may leave.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { dispatch, useSelector } from "../hooks.js";
import { api, sendFile } from "../net/api.js";
import { navigate, onLink } from "../router.js";
import { myMember } from "../store/conversations.js";
import { UserPicker } from "./UserPicker.js";
import { upsertConversation } from "../crypto/inbox.js";
import { Avatar } from "./Avatar.js";

export function GroupSettings({ conversation: c, me, onClose }) {
  const mine = myMember(c, me.id);
  const canEdit = mine?.role === "owner" || mine?.role === "admin";
  const [title, setTitle] = useState(c.title);
  const [topic, setTopic] = useState(c.topic ?? "");
  const [adding, setAdding] = useState(false);
  const run = (fn) => fn().catch((err) => dispatch({ type: "ui/notice", text: err.message }));
  const refresh = () => api.get(`/conversations/${c.id}`).then(upsertConversation);

  const save = (e) => { e.preventDefault(); run(() => api.patch(`/conversations/${c.id}`, { title, topic, version: c.version }).then(refresh)); };
  const add = (u) => run(() => api.post(`/conversations/${c.id}/members`, { user_ids: [u.id] }).then(refresh));
  const remove = (m) => run(() => api.del(`/conversations/${c.id}/members/${m.user_id}`).then(refresh));
  const role = (m, value) => run(() => api.patch(`/conversations/${c.id}/members/${m.user_id}`, { role: value }).then(refresh));
  const picture = (e) => {
    const file = e.currentTarget.files[0];
    if (file) run(() => sendFile("PUT", `/conversations/${c.id}/avatar`, file).then(upsertConversation));
  };
  const e2eeOn = useSelector((s) => !!s.session.features?.e2ee);
  const encrypt = () => confirm("Turn on end-to-end encryption for this group? It cannot be turned off, and people added later cannot read what was sent before they joined.")
    && run(() => api.patch(`/conversations/${c.id}`, { e2ee: true, version: c.version }).then(upsertConversation));
  const leave = () => confirm("Leave this group?") && run(async () => {
    await api.del(`/conversations/${c.id}/members/${me.id}`);
    dispatch({ type: "conversations/removed", id: c.id });
    navigate("/");
  });

  return html`<div class="group-settings" role="region" aria-label="Group settings">
    <form class="stack" onSubmit=${save}>
      <label>Name<input value=${title} maxlength="200" disabled=${!canEdit} onInput=${(e) => setTitle(e.currentTarget.value)} /></label>
      <label>Topic<input value=${topic} maxlength="1000" disabled=${!canEdit} onInput=${(e) => setTopic(e.currentTarget.value)} /></label>
      ${canEdit && html`<label>Group picture<input type="file" accept="image/*" onChange=${picture} /></label>`}
      ${canEdit && html`<div><button class="button" type="submit">Save</button></div>`}
    </form>
    <h3>Members (${c.members?.length ?? 0})</h3>
    <ul class="people">${(c.members ?? []).map((m) => html`<li class="person">
      <${Avatar} user=${m.user} size="sm" />
      <span class="person-name"><strong>${m.user?.display_name}</strong> <span class="muted">@${m.user?.username}</span></span>
      ${c.e2ee && m.user_id !== me.id && html`<a class="button" href=${"/safety/" + m.user_id} onClick=${onLink}
        aria-label=${"Safety number of " + m.user?.display_name}>Safety number</a>`}
      ${mine?.role === "owner" && m.user_id !== me.id
        ? html`<select aria-label=${"Role of " + m.user?.display_name} value=${m.role} onChange=${(e) => role(m, e.currentTarget.value)}>
            <option value="member">member</option><option value="admin">admin</option><option value="owner">owner</option></select>`
        : html`<span class="role">${m.role}</span>`}
      ${canEdit && m.user_id !== me.id && m.role !== "owner" && html`<button class="button" onClick=${() => remove(m)}
        aria-label=${"Remove " + m.user?.display_name}>Remove</button>`}
    </li>`)}</ul>
    ${canEdit && (adding
      ? html`<${UserPicker} meId=${me.id} exclude=${(c.members ?? []).map((m) => m.user_id)} onPick=${add} label="Add people" />`
      : html`<button class="button" onClick=${() => setAdding(true)}>Add people</button>`)}
    ${canEdit && e2eeOn && !c.e2ee && html`<div><button class="button" onClick=${encrypt}>Turn on end-to-end encryption</button></div>`}
    <div class="row-actions"><button class="button danger" onClick=${leave}>Leave group</button>
      <button class="button" onClick=${onClose}>Close</button></div>
  </div>`;
}
