// A new browser of an account that has a key backup: offer to restore it
// with the recovery passphrase, so encrypted history can be read here.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { useSelector, dispatch } from "../hooks.js";
import { RestoreForm } from "./BackupForms.js";

export function RestorePrompt() {
  const backup = useSelector((s) => s.session.backup);
  const path = useSelector((s) => s.ui.path);
  const [later, setLater] = useState(false);
  if (!backup?.restorable || later || path === "/settings") return null;
  return html`<div class="restore-prompt" role="region" aria-label="Restore your encrypted history">
    <p><strong>Read your encrypted history on this browser.</strong> This browser has new keys: enter your recovery
      passphrase to restore your key backup.</p>
    <${RestoreForm} onDone=${() => dispatch({ type: "ui/notice", text: "Keys restored: your encrypted history can be read here." })} />
    <button class="link" onClick=${() => setLater(true)}>Not now</button>
  </div>`;
}
