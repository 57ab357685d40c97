// Sign-in, second step: the 6-digit code from the authenticator app (or a
// recovery code), or a security key, for the challenge the password step
// answered (`problem`: its challenge, methods and the key's options). A
// spent or expired challenge goes back to the password step.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { ApiError } from "../net/api.js";
import { signInWithCode, signInWithKey } from "../session.js";
import { keyError, keysSupported, keyAssertion } from "../webauthn.js";

export function CodeStep({ problem, onRestart }) {
  const { challenge, methods = ["totp", "recovery_code"] } = problem;
  const codes = methods.includes("totp");
  const keys = methods.includes("webauthn");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [recovery, setRecovery] = useState(false);

  async function attempt(work) {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      if (err.code === "challenge_invalid") onRestart("That sign-in expired. Enter your password again.");
      else if (err.code === "invalid_code") setError("That code is wrong or was already used.");
      else if (err.code === "invalid_assertion") setError("That security key was not accepted. Try the key you added to this account.");
      else setError(err instanceof ApiError ? err.message : keyError(err));
    } finally {
      setBusy(false);
    }
  }
  const submit = (event) => {
    event.preventDefault();
    const { code } = Object.fromEntries(new FormData(event.currentTarget));
    return attempt(() => signInWithCode(challenge, code));
  };
  const withKey = () => attempt(async () => signInWithKey(challenge, await keyAssertion(problem.webauthn)));

  const keyButton = keys && html`<button type="button" class=${`button wide ${codes ? "" : "primary"}`}
    onClick=${withKey} disabled=${busy || !keysSupported()}>Use a security key</button>`;
  return html`<div class="auth">
    <form class="auth-card" onSubmit=${submit} aria-labelledby="code-title">
      <div class="brand"><img src="/static/icons/icon.svg" alt="" width="40" height="40" /><span>chatd</span></div>
      <h1 id="code-title">Two-step sign-in</h1>
      ${!codes && html`<p class="muted">${keysSupported() ? "Use your security key or passkey: select the button, then touch or unlock it."
        : "This account signs in with a security key, and this browser cannot use one. Try another browser."}</p>`}
      ${codes && html`<p class="muted">${recovery ? "Enter one of your recovery codes. Each works once."
        : "Enter the 6-digit code your authenticator app shows for chatd."}</p>`}
      ${codes && (recovery
        ? html`<label>Recovery code<input name="code" key="recovery" required autocomplete="off" autocapitalize="none"
            spellcheck="false" maxlength="24" placeholder="xxxx-xxxx-xxxx-xxxx" autofocus /></label>`
        : html`<label>Code<input name="code" key="totp" required inputmode="numeric" autocomplete="one-time-code"
            pattern="[0-9 ]{6,7}" maxlength="7" placeholder="123456" autofocus /></label>`)}
      ${error && html`<p class="error" role="alert">${error}</p>`}
      ${codes && html`<button class="button primary wide" type="submit" disabled=${busy}>Sign in</button>`}
      ${keyButton}
      <p class="switch">
        ${codes && html`<button type="button" class="link" onClick=${() => { setRecovery(!recovery); setError(null); }}>
          ${recovery ? "Use a code from the app" : "Use a recovery code"}</button>`}
        <button type="button" class="link" onClick=${() => onRestart(null)}>Start over</button>
      </p>
    </form>
  </div>`;
}
