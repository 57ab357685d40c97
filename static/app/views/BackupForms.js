// The recovery passphrase: making a key backup (with a plain warning first)
// and restoring one. Deriving the key takes a second or two on purpose.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { dispatch } from "../hooks.js";
import { makeBackup, restoreBackup, OtherBackup } from "../crypto/backup.js";
import { checkBackup } from "../crypto/start.js";
import { reopenFailed } from "../crypto/inbox.js";

export function RestoreForm({ onDone }) {
  const [passphrase, setPassphrase] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const restore = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await restoreBackup(passphrase);
      await checkBackup();
      await reopenFailed();
      setPassphrase("");
      onDone?.();
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="stack" onSubmit=${restore}>
    <label>Recovery passphrase<input type="password" autocomplete="current-password" required value=${passphrase}
      onInput=${(e) => setPassphrase(e.currentTarget.value)} /></label>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div class="row-actions"><button class="button primary" type="submit" disabled=${busy}>${busy ? "Restoring…" : "Restore keys"}</button></div>
  </form>`;
}

export function BackupForm({ replacing }) {
  const [passphrase, setPassphrase] = useState("");
  const [again, setAgain] = useState("");
  const [understood, setUnderstood] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const short = passphrase.length > 0 && passphrase.length < 10;
  const save = async (e) => {
    e.preventDefault();
    if (passphrase !== again) return setError("The two passphrases differ.");
    setBusy(true);
    setError(null);
    try {
      try {
        await makeBackup(passphrase);
      } catch (err) {
        if (!(err instanceof OtherBackup)) throw err;
        if (!confirm("The stored key backup was made with another passphrase. Replace it with this one? "
          + "Keys that only the old backup holds (devices this browser never restored) are lost. "
          + "If you are changing your passphrase on the browser that made or restored it, nothing is lost.")) {
          throw new Error("Nothing changed: the stored backup was kept.");
        }
        await makeBackup(passphrase, { replace: true });
      }
      await checkBackup();
      setPassphrase(""); setAgain(""); setUnderstood(false);
      dispatch({ type: "ui/notice", text: "Key backup saved. Keep your recovery passphrase somewhere safe." });
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="stack" onSubmit=${save}>
    <p class="warning" role="note"><span><strong>Nobody can recover this passphrase for you, not even the server's admin.</strong>${" "}If
      you forget it and lose every device you are signed in on, your encrypted history is gone for good.</span></p>
    ${replacing && html`<p class="warning" role="note"><span>This replaces the backup on the server. Keys that only it holds
      (from devices this browser never restored) are lost: restore it first if you can.</span></p>`}
    <label>New recovery passphrase<input type="password" autocomplete="new-password" required minlength="10" value=${passphrase}
      onInput=${(e) => setPassphrase(e.currentTarget.value)} /></label>
    ${short && html`<p class="muted">At least 10 characters; a few unrelated words are easy to remember and hard to guess.</p>`}
    <label>Repeat the passphrase<input type="password" autocomplete="new-password" required value=${again}
      onInput=${(e) => setAgain(e.currentTarget.value)} /></label>
    <label class="check"><input type="checkbox" required checked=${understood} onChange=${(e) => setUnderstood(e.currentTarget.checked)} />
      I understand: losing this passphrase and all my devices loses my encrypted history.</label>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div class="row-actions"><button class="button primary" type="submit" disabled=${busy || !understood}>${busy ? "Saving…" : "Save key backup"}</button></div>
  </form>`;
}
