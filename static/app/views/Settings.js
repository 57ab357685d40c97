// My profile (display name, status, avatar) and this browser's
// preferences (theme, desktop notifications); sign out.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { Icon } from "./Icon.js";
import { useSelector, dispatch } from "../hooks.js";
import { api, sendFile } from "../net/api.js";
import { onLink } from "../router.js";
import { signOut } from "../session.js";
import { applyTheme } from "../prefs.js";
import { enableNotifications } from "../notify.js";
import { Avatar } from "./Avatar.js";
import { EncryptionSettings } from "./EncryptionSettings.js";
import { Devices } from "./Devices.js";
import { PasswordForm } from "./PasswordForm.js";
import { PrivacyNotice } from "./PrivacyNotice.js";

export function Settings() {
  const me = useSelector((s) => s.session.me);
  const prefs = useSelector((s) => s.ui.prefs);
  const e2ee = useSelector((s) => !!s.session.features?.e2ee);
  const [name, setName] = useState(me.display_name);
  const [status, setStatus] = useState(me.status_text ?? "");
  const [saved, setSaved] = useState(null);
  const fail = (err) => dispatch({ type: "ui/notice", text: err.message });

  const save = (e) => {
    e.preventDefault();
    api.patch("/me", { display_name: name, status_text: status, version: me.version })
      .then((user) => { dispatch({ type: "me/updated", user }); setSaved("Saved."); }, fail);
  };
  // The server keeps a 256 px square made from the picture, nothing else of it.
  const avatar = (e) => {
    const file = e.currentTarget.files[0];
    if (file) sendFile("PUT", "/me/avatar", file).then((user) => dispatch({ type: "me/updated", user }), fail);
  };
  const noAvatar = () => api.del("/me/avatar").then((user) => dispatch({ type: "me/updated", user }), fail);
  const theme = (value) => { dispatch({ type: "ui/prefs", prefs: { theme: value } }); applyTheme(value); };
  const notify = async (on) => dispatch({ type: "ui/prefs", prefs: { notify: on && (await enableNotifications()) } });

  return html`<section class="page">
    <header class="page-head"><a class="icon-button back" href="/" onClick=${onLink} aria-label="Back"><${Icon} name="back" /></a><h2>Settings</h2></header>
    <form class="stack card" onSubmit=${save}>
      <h3>Profile</h3>
      <div class="profile-head"><${Avatar} user=${me} size="lg" /><div><strong>${me.display_name}</strong><div class="muted">@${me.username} · ${me.role}</div></div></div>
      <label>Display name<input value=${name} required maxlength="64" onInput=${(e) => setName(e.currentTarget.value)} /></label>
      <label>Status<input value=${status} maxlength="140" placeholder="What are you up to?" onInput=${(e) => setStatus(e.currentTarget.value)} /></label>
      <label>Profile picture<input type="file" accept="image/*" onChange=${avatar} /></label>
      ${me.avatar && html`<div><button type="button" class="button" onClick=${noAvatar}>Remove picture</button></div>`}
      <div class="row-actions"><button class="button primary" type="submit">Save profile</button>${saved && html`<span role="status">${saved}</span>`}</div>
    </form>
    <div class="stack card">
      <h3>Preferences</h3>
      <fieldset class="radios"><legend>Theme</legend>
        ${["system", "light", "dark"].map((t) => html`<label class="radio"><input type="radio" name="theme" value=${t}
          checked=${prefs.theme === t} onChange=${() => theme(t)} /> ${t[0].toUpperCase() + t.slice(1)}</label>`)}
      </fieldset>
      <label class="check"><input type="checkbox" checked=${prefs.notify} onChange=${(e) => notify(e.currentTarget.checked)} />
        Desktop notifications for new messages while this tab is hidden</label>
    </div>
    <${PasswordForm} />
    <div class="card"><${PrivacyNotice} /></div>
    ${e2ee && html`<${Devices} />`}
    <${EncryptionSettings} />
    <div class="card"><button class="button danger" onClick=${signOut}>Sign out</button>
      <p class="muted">Signing out removes the messages this browser kept. ${e2ee && `This browser's device keys stay, so
        signing in again as you reuses this device; on a computer that is not yours, use "Remove this device" under Devices.`}</p></div>
  </section>`;
}
