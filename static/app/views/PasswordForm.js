// Settings: change my password, with the live strength meter. The server
// ends every other login session on success (API tokens stay).
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { useSelector } from "../hooks.js";
import { api } from "../net/api.js";
import { StrengthMeter } from "./StrengthMeter.js";

export function PasswordForm() {
  const me = useSelector((s) => s.session.me);
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [state, setState] = useState(null);

  const submit = (e) => {
    e.preventDefault();
    setState({ busy: true });
    api.put("/me/password", { current, new: next }).then(() => {
      setCurrent(""); setNext("");
      setState({ done: "Password changed. Your other sessions were signed out." });
    }, (err) => setState({ error: err.message }));
  };

  return html`<form class="stack card" onSubmit=${submit} aria-labelledby="password-title">
    <h3 id="password-title">Password</h3>
    <input type="text" name="username" autocomplete="username" value=${me.username} hidden readonly />
    <label>Current password<input type="password" autocomplete="current-password" required value=${current}
      onInput=${(e) => setCurrent(e.currentTarget.value)} /></label>
    <label>New password<input type="password" autocomplete="new-password" required minlength="12" value=${next}
      aria-describedby="new-password-strength" onInput=${(e) => { setNext(e.currentTarget.value); setState(null); }} /></label>
    <${StrengthMeter} id="new-password-strength" password=${next} hints=${[me.username, me.display_name, current]} />
    ${state?.error && html`<p class="error" role="alert">${state.error}</p>`}
    <div class="row-actions"><button class="button primary" type="submit" disabled=${state?.busy}>Change password</button>
      ${state?.done && html`<span role="status">${state.done}</span>`}</div>
  </form>`;
}
