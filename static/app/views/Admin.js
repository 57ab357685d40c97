// Server administration (admins only): sign-up mode, invites, users and roles.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { Icon } from "./Icon.js";
import { useSelector, dispatch } from "../hooks.js";
import { api } from "../net/api.js";
import { onLink } from "../router.js";

export function Admin() {
  const me = useSelector((s) => s.session.me);
  const [users, setUsers] = useState([]);
  const [invites, setInvites] = useState([]);
  const [mode, setMode] = useState(null);
  const [code, setCode] = useState(null);
  const fail = (err) => dispatch({ type: "ui/notice", text: err.message });
  const load = () => Promise.all([
    api.get("/admin/users").then((r) => setUsers(r.items)),
    api.get("/admin/invites").then((r) => setInvites(r.items)),
    api.get("/auth/registration").then((r) => setMode(r.mode)),
  ]).catch(fail);
  useEffect(() => { load(); }, []);
  if (me.role !== "admin") return html`<section class="page"><h2>Admins only</h2></section>`;

  const changeMode = (value) => api.put("/admin/registration", { mode: value }).then((r) => setMode(r.mode), fail);
  const invite = () => api.post("/admin/invites", { max_uses: 1, expires_hours: 168 }).then((r) => { setCode(r.code); load(); }, fail);
  const act = (fn) => fn().then(load, fail);
  return html`<section class="page">
    <header class="page-head"><a class="icon-button back" href="/" onClick=${onLink} aria-label="Back"><${Icon} name="back" /></a><h2>Admin</h2></header>
    <div class="card stack">
      <h3>Sign-up</h3>
      <label>Who may create an account
        <select aria-label="Registration mode" value=${mode ?? ""} onChange=${(e) => changeMode(e.currentTarget.value)}>
          <option value="open">Anyone (open)</option><option value="invite">Only with an invite</option><option value="closed">No one (closed)</option>
        </select></label>
      <p class="muted">Applies at once, until the server restarts; set auth.registration in chatd.toml to keep it.</p>
    </div>
    <div class="card stack">
      <h3>Invites</h3>
      <div class="row-actions"><button class="button" onClick=${invite}>Create an invite</button>
        ${code && html`<span>New code (shown once): <code class="invite-code">${code}</code></span>`}</div>
      <ul class="people">${invites.map((i) => html`<li class="person"><span class="person-name">Used ${i.uses} of ${i.max_uses} · expires ${new Date(i.expires_at).toLocaleDateString()}</span>
        <button class="button" onClick=${() => act(() => api.del(`/admin/invites/${i.id}`))}>Revoke</button></li>`)}</ul>
    </div>
    <div class="card stack">
      <h3>Users (${users.length})</h3>
      <ul class="people">${users.map((u) => html`<li class="person">
        <span class="person-name"><strong>${u.display_name}</strong> <span class="muted">@${u.username}${u.disabled ? " · disabled" : ""}</span></span>
        <select aria-label=${"Role of " + u.username} value=${u.role} disabled=${u.id === me.id}
          onChange=${(e) => act(() => api.put(`/admin/users/${u.id}/role`, { role: e.currentTarget.value }))}>
          <option value="member">member</option><option value="admin">admin</option><option value="guest">guest</option></select>
        ${u.id !== me.id && html`<button class="button" onClick=${() => act(() => api.post(`/admin/users/${u.id}/${u.disabled ? "enable" : "disable"}`))}>
          ${u.disabled ? "Enable" : "Disable"}</button>`}
      </li>`)}</ul>
    </div>
  </section>`;
}
