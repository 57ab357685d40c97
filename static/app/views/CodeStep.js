// Sign-in, second step: the 6-digit code from the authenticator app (or a
// recovery code) for the challenge the password step answered. A spent or
// expired challenge goes back to the password step.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { signInWithCode } from "../session.js";

export function CodeStep({ challenge, onRestart }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [recovery, setRecovery] = useState(false);

  async function submit(event) {
    event.preventDefault();
    const { code } = Object.fromEntries(new FormData(event.currentTarget));
    setBusy(true);
    setError(null);
    try {
      await signInWithCode(challenge, code);
    } catch (err) {
      if (err.code === "challenge_invalid") onRestart("That sign-in expired. Enter your password again.");
      else setError(err.code === "invalid_code" ? "That code is wrong or was already used." : err.message);
    } finally {
      setBusy(false);
    }
  }

  return html`<div class="auth">
    <form class="auth-card" onSubmit=${submit} aria-labelledby="code-title">
      <div class="brand"><img src="/static/icons/icon.svg" alt="" width="40" height="40" /><span>chatd</span></div>
      <h1 id="code-title">Two-step sign-in</h1>
      <p class="muted">${recovery ? "Enter one of your recovery codes. Each works once."
        : "Enter the 6-digit code your authenticator app shows for chatd."}</p>
      ${recovery
        ? html`<label>Recovery code<input name="code" key="recovery" required autocomplete="off" autocapitalize="none"
            spellcheck="false" maxlength="24" placeholder="xxxx-xxxx-xxxx-xxxx" autofocus /></label>`
        : html`<label>Code<input name="code" key="totp" required inputmode="numeric" autocomplete="one-time-code"
            pattern="[0-9 ]{6,7}" maxlength="7" placeholder="123456" autofocus /></label>`}
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button class="button primary wide" type="submit" disabled=${busy}>Sign in</button>
      <p class="switch">
        <button type="button" class="link" onClick=${() => { setRecovery(!recovery); setError(null); }}>
          ${recovery ? "Use a code from the app" : "Use a recovery code"}</button>
        <button type="button" class="link" onClick=${() => onRestart(null)}>Start over</button>
      </p>
    </form>
  </div>`;
}
