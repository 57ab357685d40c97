// The main pane with nothing open: say what to do next.
import { html } from "../html.js";
import { onLink } from "../router.js";

export function Empty() {
  return html`<section class="empty">
    <div class="empty-art" aria-hidden="true">💬</div>
    <h2>Pick a conversation</h2>
    <p>Choose one on the left, or start a new one with someone on this server.</p>
    <a class="button primary" href="/new" onClick=${onLink}>Start a conversation</a>
  </section>`;
}
