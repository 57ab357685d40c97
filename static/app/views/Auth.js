// Sign in and sign up. Sign-up follows the server's registration mode:
// open, invite-only (an invite code field) or closed.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { useSelector, dispatch } from "../hooks.js";
import { api } from "../net/api.js";
import { signIn, signUp } from "../session.js";
import { StrengthMeter } from "./StrengthMeter.js";
import { PrivacyNotice } from "./PrivacyNotice.js";
import { CodeStep } from "./CodeStep.js";

export function Auth() {
  const [mode, setMode] = useState("in");
  const registration = useSelector((s) => s.session.registration);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  // Show what was typed (a phone keyboard makes typos easy to miss); off again on every switch.
  const [reveal, setReveal] = useState(false);
  // What the sign-up form holds, for the strength meter (it counts the username as a guess).
  const [typed, setTyped] = useState({});
  // The password was right and the account has two-step sign-in: the code (or key) step,
  // with the 401's challenge, methods and security key options.
  const [challenge, setChallenge] = useState(null);
  useEffect(() => {
    api.get("/auth/registration").then((r) => dispatch({ type: "session/registration", mode: r.mode })).catch(() => {});
  }, []);

  async function submit(event) {
    event.preventDefault();
    const form = Object.fromEntries(new FormData(event.currentTarget));
    setBusy(true);
    setError(null);
    try {
      if (mode === "in") await signIn(form.username, form.password);
      else await signUp(form);
    } catch (err) {
      if (err.code === "second_factor_required") setChallenge(err.problem);
      else setError(err.message);
    } finally {
      setBusy(false);
    }
  }

  const signingUp = mode === "up";
  if (challenge) return html`<${CodeStep} problem=${challenge} onRestart=${(why) => { setChallenge(null); setError(why); }} />`;
  return html`<div class="auth">
    <form class="auth-card" onSubmit=${submit} aria-labelledby="auth-title"
      onInput=${(e) => signingUp && setTyped(Object.fromEntries(new FormData(e.currentTarget)))}>
      <div class="brand"><img src="/static/icons/icon.svg" alt="" width="40" height="40" /><span>chatd</span></div>
      <h1 id="auth-title">${signingUp ? "Create your account" : "Sign in"}</h1>
      ${signingUp && registration === "closed" && html`<p class="note">Sign-up is closed on this server. Ask an admin for an account.</p>`}
      <label>Username<input name="username" autocomplete="username" required minlength="3" maxlength="32"
        autocapitalize="none" spellcheck="false" /></label>
      ${signingUp && html`<label>Display name <span class="hint">(optional)</span><input name="display_name" maxlength="64" autocomplete="name" /></label>`}
      <label>Password<input name="password" type=${reveal ? "text" : "password"} required minlength=${signingUp ? 12 : 1}
        autocomplete=${signingUp ? "new-password" : "current-password"} autocapitalize="none" spellcheck="false"
        aria-describedby=${signingUp ? "signup-strength" : undefined} /></label>
      <button type="button" class="link reveal" aria-pressed=${reveal} onClick=${() => setReveal(!reveal)}>
        ${reveal ? "Hide" : "Show"}</button>
      ${signingUp && html`<${StrengthMeter} id="signup-strength" password=${typed.password}
        hints=${[typed.username, typed.display_name || typed.username]} />`}
      ${signingUp && registration === "invite" && html`<label>Invite code<input name="invite" required autocomplete="off" /></label>`}
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button class="button primary wide" type="submit" disabled=${busy}>${signingUp ? "Create account" : "Sign in"}</button>
      ${signingUp && html`<${PrivacyNotice} summary="What this server stores about you (privacy)" />`}
      <p class="switch">
        ${signingUp ? "Already have an account?" : "New here?"}
        <button type="button" class="link" onClick=${() => { setMode(signingUp ? "in" : "up"); setError(null); setReveal(false); setTyped({}); }}>
          ${signingUp ? "Sign in" : "Create an account"}</button>
      </p>
    </form>
  </div>`;
}
