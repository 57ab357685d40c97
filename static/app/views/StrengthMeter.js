// A live password strength meter (ASVS 2.1.8). The server scores what is
// typed with the same rule sign-up and password change apply
// (POST /auth/password-strength), so the meter never says "strong enough"
// to a password the server then refuses. It asks once typing pauses, and
// says it in words (and a bar), never by colour alone.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { api } from "../net/api.js";

const PAUSE_MS = 300;
const WORDS = ["very weak", "weak", "fair", "strong", "very strong"];

export function StrengthMeter({ password, hints = [], id }) {
  const [result, setResult] = useState(null);
  const key = JSON.stringify([password, hints]);
  useEffect(() => {
    setResult(null);
    if (!password) return undefined;
    let live = true;
    const timer = setTimeout(() => {
      api.post("/auth/password-strength", { password, hints: hints.filter(Boolean).slice(0, 4) })
        .then((r) => live && setResult(r), () => live && setResult({ failed: true }));
    }, PAUSE_MS);
    return () => { live = false; clearTimeout(timer); };
  }, [key]);

  if (!password) return html`<div id=${id} class="strength" aria-live="polite"></div>`;
  if (!result) return html`<div id=${id} class="strength" aria-live="polite"><span class="muted">Checking strength…</span></div>`;
  if (result.failed) return html`<div id=${id} class="strength" aria-live="polite"><span class="muted">The strength check is not available right now.</span></div>`;
  const verdict = result.acceptable ? "good enough for this server" : "not accepted by this server yet";
  const advice = [result.warning, ...result.suggestions].filter(Boolean);
  return html`<div id=${id} class=${"strength " + (result.acceptable ? "ok" : "weak")} aria-live="polite">
    <meter min="0" max="4" low="2" high="3" optimum="4" value=${result.score} aria-hidden="true"></meter>
    <p class="strength-words"><strong>Strength: ${WORDS[result.score]}</strong> (${result.score} of 4) — ${verdict}.</p>
    ${!result.acceptable && advice.length > 0 && html`<p class="hint">${advice.join(" ")}</p>`}
  </div>`;
}
