// Settings > Your data (ASVS 8.3.2): download everything the account holds
// (GET /me/export, one JSON file the browser saves as it arrives), and delete
// the account for good (DELETE /me with the current password), after a plain
// warning of what goes and what stays. Then this browser forgets the account
// and its device keys, as a sign-out on a shared computer does.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { useSelector } from "../hooks.js";
import { request } from "../net/api.js";
import { signOut } from "../session.js";
import { eraseKeys } from "../crypto/device.js";

const REASONS = {
  wrong_password: "That is not your current password. Nothing was deleted.",
  last_admin: "You are the only admin of this server. Make someone else an admin first (Admin > Users), then delete your account.",
};

export function YourData() {
  const me = useSelector((s) => s.session.me);
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  const remove = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await request("DELETE", "/me", { body: { password } });
    } catch (err) {
      setBusy(false);
      setError(REASONS[err.code] ?? err.message);
      return;
    }
    await signOut(); // the session is already gone; this clears what the browser kept
    await eraseKeys(me.id).catch(() => {});
  };

  return html`<div class="stack card" id="your-data">
    <h3>Your data</h3>
    <p class="muted">A copy of everything your account holds: your profile and preferences, contacts, signed-in devices,
      and every conversation you are in with the messages you can read there (encrypted ones as the server stores them),
      reactions and your files' details with a link to each.</p>
    <div><a class="button" href="/api/v1/me/export" download>Download your data</a></div>
    <h4>Delete your account</h4>
    ${!open
      ? html`<div><button class="button danger" onClick=${() => setOpen(true)}>Delete account…</button></div>`
      : html`<form class="stack" onSubmit=${remove} aria-label="Delete your account">
      <p class="warning" role="alert">This cannot be undone. Your profile, password, contacts, devices and keys are erased, and every
        browser and app signed in as you is signed out at once. You leave your groups (a group you own passes to its next admin or
        member; one nobody else is in is removed). Your messages stay in the conversations, shown as from "Deleted user", so the others keep their history.
        Your username @${me.username} stays reserved and cannot be taken again. Download your data first if you want a copy.</p>
      <label>Your current password<input type="password" autocomplete="current-password" required value=${password}
        onInput=${(e) => setPassword(e.currentTarget.value)} /></label>
      ${error && html`<p class="warning" role="alert">${error}</p>`}
      <div class="row-actions">
        <button class="button danger" type="submit" disabled=${busy || !password}>Delete my account for good</button>
        <button class="button" type="button" onClick=${() => { setOpen(false); setPassword(""); setError(null); }}>Cancel</button>
      </div>
    </form>`}
  </div>`;
}
