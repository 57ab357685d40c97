// Settings > Two-step sign-in > Security keys: add a key or passkey with a
// name (after "Confirm it's you" when the last proof is old), list them,
// rename, remove. A key alone turns two-step sign-in on; removing the last
// factor turns it off, and the server's answer says so.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { api, ApiError } from "../net/api.js";
import { createKey, keyError, keysSupported } from "../webauthn.js";

const BASE = "/me/second-factor/security-keys";
const day = (iso) => new Date(iso).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });

export function SecurityKeys({ onChange }) {
  const [keys, setKeys] = useState(null);
  const [renaming, setRenaming] = useState(null); // a key's id
  const [note, setNote] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const load = () => api.get(BASE).then(setKeys, (err) => setError(err.message));
  useEffect(() => { load(); }, []);

  const run = async (work) => {
    setBusy(true);
    setError(null);
    setNote(null);
    try { await work(); } catch (err) { setError(err instanceof ApiError ? err.message : keyError(err)); } finally { setBusy(false); }
  };
  const named = (event) => { event.preventDefault(); return new FormData(event.currentTarget).get("name"); };
  const add = (event) => { const name = named(event); const form = event.currentTarget; return run(async () => {
    const { publicKey } = await api.post(`${BASE}/options`);
    const credential = await createKey(publicKey);
    await api.post(BASE, { name, credential });
    form.reset();
    setNote(`“${name}” was added. Signing in now asks for a security key after your password.`);
    await load();
    onChange?.();
  }); };
  const rename = (id) => (event) => { const name = named(event); return run(async () => {
    await api.patch(`${BASE}/${id}`, { name });
    setRenaming(null);
    await load();
  }); };
  const remove = (key) => confirm(`Remove the security key “${key.name}”? It will no longer sign you in.`) && run(async () => {
    const answer = await api.del(`${BASE}/${key.id}`);
    setNote(answer.detail);
    await load();
    onChange?.();
  });

  return html`<div class="stack security-keys" id="security-keys">
    <h4>Security keys</h4>
    <p class="muted">A security key (USB, NFC) or a passkey on this device can stand in for the code: after your
      password, touch the key. Add a second key, or the authenticator app, so that losing one does not lock you out.</p>
    ${keys?.length > 0 && html`<ul class="devices" aria-label="Your security keys">
      ${keys.map((k) => html`<li class="device" key=${k.id}>
        ${renaming === k.id
          ? html`<form class="row-actions" onSubmit=${rename(k.id)}>
              <input name="name" aria-label="New name" required maxlength="64" value=${k.name} autofocus />
              <button class="button primary" type="submit" disabled=${busy}>Save</button>
              <button class="button" type="button" onClick=${() => setRenaming(null)}>Cancel</button></form>`
          : html`<div><strong class="key-name">${k.name}</strong>
              <div class="muted">added ${day(k.created_at)}${k.last_used_at ? ` · last used ${day(k.last_used_at)}` : " · not used yet"}</div></div>
            <div class="row-actions">
              <button class="button" onClick=${() => setRenaming(k.id)} aria-label=${`Rename ${k.name}`}>Rename</button>
              <button class="button danger" onClick=${() => remove(k)} disabled=${busy} aria-label=${`Remove ${k.name}`}>Remove</button>
            </div>`}
      </li>`)}</ul>`}
    ${keysSupported()
      ? html`<form class="row-actions" onSubmit=${add}>
          <label class="key-name-field">Name of the new key<input name="name" required maxlength="64" placeholder="e.g. Blue USB key" /></label>
          <button class="button primary" type="submit" disabled=${busy}>Add a security key</button></form>`
      : html`<p class="muted">This browser cannot use security keys.</p>`}
    ${note && html`<p role="status">${note}</p>`}
    ${error && html`<p class="error" role="alert">${error}</p>`}
  </div>`;
}
