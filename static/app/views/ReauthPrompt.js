// "Confirm it's you": shown when the server wants a fresh proof before a
// high-value action (403 reauthentication_required). The password, and a
// code when two-step sign-in is on; the action is then retried once.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { api } from "../net/api.js";
import { mountReauthPrompt } from "../net/reauth.js";

export function ReauthPrompt() {
  const [pending, setPending] = useState(null);
  const [needsCode, setNeedsCode] = useState(false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => mountReauthPrompt((p) => {
    setError(null);
    setPending(p);
    api.get("/me/second-factor").then((s) => setNeedsCode(s.totp), () => setNeedsCode(false));
  }), []);
  if (!pending) return null;

  const cancel = () => { pending.reject(new Error("cancelled")); setPending(null); };
  const submit = async (event) => {
    event.preventDefault();
    const form = Object.fromEntries(new FormData(event.currentTarget));
    setBusy(true);
    try {
      await api.post("/auth/reauth", needsCode ? { password: form.password, code: form.code } : { password: form.password });
      pending.resolve();
      setPending(null);
    } catch (err) {
      if (err.code === "second_factor_required") setNeedsCode(true);
      setError(err.message);
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="dialog-backdrop" onKeyDown=${(e) => e.key === "Escape" && cancel()}>
    <form class="dialog" role="dialog" aria-modal="true" aria-labelledby="reauth-title" onSubmit=${submit}>
      <h3 id="reauth-title">Confirm it's you</h3>
      <p class="muted">This change needs your password${needsCode ? " and a code from your authenticator app" : ""} again.</p>
      <label>Password<input name="password" type="password" required autocomplete="current-password" autofocus /></label>
      ${needsCode && html`<label>Code<input name="code" required inputmode="numeric" autocomplete="one-time-code"
        maxlength="24" placeholder="123456 or a recovery code" /></label>`}
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <div class="dialog-actions">
        <button type="button" class="button" onClick=${cancel}>Cancel</button>
        <button class="button primary" type="submit" disabled=${busy}>Confirm</button>
      </div>
    </form>
  </div>`;
}
