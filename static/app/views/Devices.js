// Settings > Devices: every device of the account (its fingerprint, when it
// was added), this browser's marked, the others removable (DELETE
// /me/keys/{id}); the list follows user.updated. Also says why this
// browser is no device: the account is full (409) or it was removed.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { useSelector, dispatch } from "../hooks.js";
import { api } from "../net/api.js";
import { keyring } from "../crypto/device.js";
import { deviceFingerprint } from "../crypto/trust.js";
import { deviceVerifies } from "../crypto/envelope.js";
import { signOut, signOutAndRemoveDevice } from "../session.js";

const added = (iso) => (iso ? new Date(iso).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" }) : "");

export function Devices() {
  const me = useSelector((s) => s.session.me);
  const state = useSelector((s) => s.session.device);
  const [ownId, setOwnId] = useState(null);
  useEffect(() => { keyring().then(({ current }) => setOwnId(current.device_id), () => {}); }, [state]);
  // Sent here by a 409 at sign-in: the list is what to look at.
  useEffect(() => { if (state === "too_many") document.getElementById("devices")?.scrollIntoView(); }, [state]);
  const fail = (err) => dispatch({ type: "ui/notice", text: err.message });

  const remove = async (key) => {
    const ok = confirm(`Remove the device ${deviceFingerprint(key)}? It will no longer be able to read new encrypted `
      + "messages. What it already shows stays readable on it; what it sent and others have not opened yet can no longer be "
      + "checked, so they cannot read it. If you no longer trust that device, also change your password.");
    if (!ok) return;
    try {
      dispatch({ type: "me/updated", user: await api.del(`/me/keys/${key.device_id}`) }); // too_many: start.js retries
    } catch (err) { fail(err); }
  };
  const removeThis = () => confirm("Remove this browser's device and sign out? Its keys are erased here: encrypted messages "
    + "on this browser become unreadable unless you restore a key backup. Use this on a computer that is not yours.")
    && signOutAndRemoveDevice(ownId).catch(fail);

  // The server ties no login session to a device: ending the others is how
  // a lost browser is kept from publishing a device again.
  const endOthers = () => confirm("Sign out every other browser and app signed in with your password? This one stays signed in.")
    && api.del("/me/sessions").then(() => dispatch({ type: "ui/notice", text: "Every other browser is signed out." }), fail);

  const list = [...(me.keys ?? [])].sort((a, b) => (a.device_id === ownId ? -1 : b.device_id === ownId ? 1 : 0));
  return html`<div class="stack card" id="devices">
    <h3>Devices</h3>
    ${state === "too_many" && html`<p class="warning" role="alert">This browser could not be added as a device: your account
      already has ${list.length}, the most it may have. Remove the ones you no longer use; this browser is added as soon as
      there is room. Until then it cannot send or read encrypted messages.</p>`}
    ${state === "removed" && html`<p class="warning" role="alert">This browser's device was removed from your account. It no
      longer receives the keys of new encrypted messages and cannot send any. Sign out, then sign in again to add it as a new device.
      <button class="button" onClick=${signOut}>Sign out</button></p>`}
    <p class="muted">Encrypted messages are sealed for each of these. Compare a device's number with the one shown in its own
      Settings to tell them apart.</p>
    <ul class="devices" aria-label="Your devices">
      ${list.map((k) => html`<li class="device" key=${k.device_id}>
        <div><span class="digits">${deviceFingerprint(k)}</span>
          ${k.device_id === ownId && state !== "removed" && html` <strong class="this-device">This device</strong>`}
          <div class="muted">${k.device_id.slice(0, 8)}${k.created_at && ` · added ${added(k.created_at)}`}
            ${!deviceVerifies(k) && " · its key signature does not verify: messages are not sealed for it"}</div></div>
        ${k.device_id === ownId
          ? html`<button class="button danger" onClick=${removeThis}>Remove this device</button>`
          : html`<button class="button" aria-label=${`Remove device ${deviceFingerprint(k)}`} onClick=${() => remove(k)}>Remove</button>`}
      </li>`)}
    </ul>
    <p class="muted">Removing a device does not sign that browser out. If it is lost or not yours, also end its session.</p>
    <div><button class="button" onClick=${endOthers}>Sign out everywhere else</button></div>
  </div>`;
}
