// Settings > Two-step sign-in: turn TOTP on (QR code and the key to type,
// then a code to confirm), show the recovery codes once, turn it off
// (password and a code); security keys below (SecurityKeys.js). Enrolment
// may first ask "Confirm it's you".
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { api } from "../net/api.js";
import { QrCode } from "./QrCode.js";
import { SecurityKeys } from "./SecurityKeys.js";

const grouped = (key) => key.match(/.{1,4}/g).join(" ");

export function TwoStep() {
  const [status, setStatus] = useState(null);
  const [enrolment, setEnrolment] = useState(null); // { secret, otpauth_uri } while confirming
  const [codes, setCodes] = useState(null); // recovery codes, shown once
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const refresh = () => api.get("/me/second-factor").then(setStatus, (err) => setError(err.message));
  useEffect(() => { refresh(); }, []);

  const run = async (work) => {
    setBusy(true);
    setError(null);
    try { await work(); } catch (err) { setError(err.message); } finally { setBusy(false); }
  };
  const form = (event) => { event.preventDefault(); return Object.fromEntries(new FormData(event.currentTarget)); };
  const begin = () => run(async () => setEnrolment(await api.post("/me/second-factor/totp")));
  const confirm = (event) => { const { code } = form(event); return run(async () => {
    const answer = await api.post("/me/second-factor/totp/confirm", { code });
    setEnrolment(null);
    setCodes(answer.recovery_codes);
    await refresh();
  }); };
  const disable = (event) => { const { password, code } = form(event); return run(async () => {
    await api.post("/me/second-factor/totp/disable", { password, code });
    await refresh();
  }); };

  return html`<div class="stack card" id="two-step">
    <h3>Two-step sign-in</h3>
    ${status?.admin_required && !status.enabled && html`<p class="warning" role="alert">This server requires admins to use
      two-step sign-in: the admin page stays closed to you until you turn it on here.</p>`}
    ${codes && html`<div class="recovery" role="region" aria-label="Recovery codes">
      <p><strong>Two-step sign-in is on.</strong> Keep these recovery codes somewhere safe, away from your phone: each one
        signs you in once if you lose your authenticator. They are shown only now.</p>
      <ol class="recovery-codes">${codes.map((c) => html`<li key=${c}><code>${c}</code></li>`)}</ol>
      <div><button class="button primary" onClick=${() => setCodes(null)}>I have saved them</button></div></div>`}
    ${!codes && status && !status.totp && !enrolment && (status.enabled
      ? html`<p><strong>On,</strong> with a security key. <span class="muted">An authenticator app can be a second way in
          (6-digit codes, with recovery codes).</span></p>
        <div><button class="button" onClick=${begin} disabled=${busy}>Add an authenticator app</button></div>`
      : html`<p class="muted">Besides your password, signing in will ask for a 6-digit code from an authenticator app on your
          phone (any TOTP app), or for a security key (below).</p>
        <div><button class="button primary" onClick=${begin} disabled=${busy}>Turn on two-step sign-in</button></div>`)}
    ${enrolment && html`<form class="stack" onSubmit=${confirm}>
      <p>Scan this with your authenticator app, or type the key into it.</p>
      <div class="enrol">
        <${QrCode} text=${enrolment.otpauth_uri} label="QR code for your authenticator app" />
        <div><p class="label">Key</p><code class="totp-key" data-secret=${enrolment.secret}>${grouped(enrolment.secret)}</code>
          <p class="muted">Time-based, 6 digits, every 30 seconds.</p></div>
      </div>
      <label>Code from the app<input name="code" required inputmode="numeric" autocomplete="one-time-code"
        pattern="[0-9 ]{6,7}" maxlength="7" placeholder="123456" /></label>
      <div class="row-actions"><button class="button primary" type="submit" disabled=${busy}>Confirm</button>
        <button type="button" class="button" onClick=${() => setEnrolment(null)}>Cancel</button></div>
    </form>`}
    ${!codes && status?.totp && html`<form class="stack" onSubmit=${disable}>
      <p><strong>On.</strong> <span class="muted">${status.recovery_codes_left} of 10 recovery codes left.</span></p>
      <p class="muted">To turn the authenticator app off, enter your password and a code (or a recovery code).${
        status.security_keys ? " Your security keys stay in force." : ""}</p>
      <label>Password<input name="password" type="password" required autocomplete="current-password" /></label>
      <label>Code<input name="code" required autocomplete="one-time-code" maxlength="24" /></label>
      <div><button class="button danger" type="submit" disabled=${busy}>Turn off two-step sign-in</button></div>
    </form>`}
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${status && !codes && !enrolment && html`<${SecurityKeys} onChange=${refresh} />`}
  </div>`;
}
