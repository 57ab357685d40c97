// Settings > Encryption: this browser's device, the key backup (make,
// replace, restore, delete).
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { useSelector, dispatch } from "../hooks.js";
import { keyring } from "../crypto/device.js";
import { deleteBackup } from "../crypto/backup.js";
import { checkBackup } from "../crypto/start.js";
import { BackupForm, RestoreForm } from "./BackupForms.js";

export function EncryptionSettings() {
  const on = useSelector((s) => !!s.session.features?.e2ee);
  const backup = useSelector((s) => s.session.backup);
  const [device, setDevice] = useState(null);
  useEffect(() => { if (on) keyring().then(({ current, ring }) => setDevice({ id: current.device_id, held: ring.size }), () => {}); }, [backup, on]);
  if (!on) return null;
  const remove = () => confirm("Delete the key backup from the server? A new browser could then not read your encrypted history.")
    && deleteBackup().then(checkBackup).catch((err) => dispatch({ type: "ui/notice", text: err.message }));
  return html`<div class="stack card" id="encryption">
    <h3>Encryption and key backup</h3>
    <p>Encrypted conversations are readable only on your devices. This browser is device${" "}<code>${device?.id?.slice(0, 8) ?? "…"}</code>${" "}and
      holds ${device?.held ?? "…"} device key${device?.held === 1 ? "" : "s"}.</p>
    ${backup?.restorable && html`<h4>Restore your history</h4>
      <p>A key backup exists. Enter its recovery passphrase to read your earlier encrypted messages here.</p>
      <${RestoreForm} />`}
    <h4>${backup?.exists ? "Change the recovery passphrase" : "Set a recovery passphrase"}</h4>
    <p class="muted">${backup?.exists ? `A key backup is stored on the server (${backup.kdf}).`
      : "No key backup yet: if you lose this browser, your encrypted history goes with it."}</p>
    <${BackupForm} replacing=${backup?.restorable} />
    ${backup?.exists && html`<div><button class="button danger" onClick=${remove}>Delete key backup</button></div>`}
  </div>`;
}
