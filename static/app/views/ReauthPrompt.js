// "Confirm it's you": shown when the server wants a fresh proof before a
// high-value action (403 reauthentication_required). The password, and when
// two-step sign-in is on a code or a security key; the action is then
// retried once.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { api, ApiError } from "../net/api.js";
import { mountReauthPrompt } from "../net/reauth.js";
import { keyAssertion, keyError, keysSupported } from "../webauthn.js";

export function ReauthPrompt() {
  const [pending, setPending] = useState(null);
  const [factors, setFactors] = useState({ totp: false, keys: false });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => mountReauthPrompt((p) => {
    setError(null);
    setPending(p);
    api.get("/me/second-factor").then((s) => setFactors({ totp: s.totp, keys: s.security_keys > 0 }),
      () => setFactors({ totp: false, keys: false }));
  }), []);
  if (!pending) return null;

  const cancel = () => { pending.reject(new Error("cancelled")); setPending(null); };
  const confirmWith = async (proof) => {
    setBusy(true);
    setError(null);
    try {
      await api.post("/auth/reauth", await proof());
      pending.resolve();
      setPending(null);
    } catch (err) {
      if (err.code === "second_factor_required") setFactors((f) => (f.totp || f.keys ? f : { ...f, totp: true }));
      setError(err instanceof ApiError ? err.message : keyError(err));
    } finally {
      setBusy(false);
    }
  };
  const passwordOf = (form) => new FormData(form).get("password");
  // With a code (or nothing more when two-step sign-in is off).
  const submit = (event) => {
    event.preventDefault();
    const form = Object.fromEntries(new FormData(event.currentTarget));
    if (!factors.totp && factors.keys) return withKey(event);
    return confirmWith(async () => (factors.totp ? { password: form.password, code: form.code } : { password: form.password }));
  };
  const withKey = (event) => {
    event.preventDefault();
    const form = event.currentTarget.form ?? event.currentTarget;
    if (!form.reportValidity()) return;
    const password = passwordOf(form);
    return confirmWith(async () => {
      const { publicKey } = await api.post("/auth/reauth/options");
      return { password, credential: await keyAssertion(publicKey) };
    });
  };
  const needs = factors.totp ? (factors.keys ? " and a code from your authenticator app or your security key"
    : " and a code from your authenticator app") : factors.keys ? " and your security key" : "";
  return html`<div class="dialog-backdrop" onKeyDown=${(e) => e.key === "Escape" && cancel()}>
    <form class="dialog" role="dialog" aria-modal="true" aria-labelledby="reauth-title" onSubmit=${submit}>
      <h3 id="reauth-title">Confirm it's you</h3>
      <p class="muted">This change needs your password${needs} again.</p>
      <label>Password<input name="password" type="password" required autocomplete="current-password" autofocus /></label>
      ${factors.totp && html`<label>Code<input name="code" required=${!factors.keys} inputmode="numeric"
        autocomplete="one-time-code" maxlength="24" placeholder="123456 or a recovery code" /></label>`}
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <div class="dialog-actions">
        <button type="button" class="button" onClick=${cancel}>Cancel</button>
        ${factors.keys && factors.totp && html`<button type="button" class="button" onClick=${withKey}
          disabled=${busy || !keysSupported()}>Use a security key</button>`}
        <button class="button primary" type="submit" disabled=${busy}>${factors.keys && !factors.totp
          ? "Use a security key" : "Confirm"}</button>
      </div>
    </form>
  </div>`;
}
