// What this server stores (ASVS 8.3.3): GET /privacy, the operator's text or
// chatd's default, shown on the sign-up screen and in Settings. Markdown
// goes through the app's safe renderer (elements, never HTML), loaded only
// when the notice is opened; plain text stays plain text.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { api } from "../net/api.js";

export function PrivacyNotice({ summary = "What this server stores about you" }) {
  const [body, setBody] = useState(null);
  const open = async (event) => {
    if (!event.currentTarget.open || body) return;
    try {
      const notice = await api.get("/privacy");
      if (notice.format === "markdown") {
        const { renderText } = await import("../text/markdown.js");
        setBody(html`<div class="notice-text">${renderText(notice.text)}</div>`);
      } else {
        setBody(html`<div class="notice-text plain">${notice.text}</div>`);
      }
    } catch (err) {
      setBody(html`<p class="error" role="alert">The privacy notice could not be loaded (${err.message}).</p>`);
    }
  };
  return html`<details class="privacy" onToggle=${open}>
    <summary>${summary}</summary>
    ${body ?? html`<p class="muted">Loading…</p>`}
  </details>`;
}
