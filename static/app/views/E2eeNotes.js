// In an encrypted conversation: what stays visible to the server, and a
// warning when a member's safety number changed since last seen or verified.
import { html } from "../html.js";
import { Icon } from "./Icon.js";
import { useSelector } from "../hooks.js";
import { onLink } from "../router.js";
import { displayName } from "../store/users.js";

export function KeyChangeWarnings({ conversation, meId }) {
  const trust = useSelector((s) => s.trust.byUser);
  const changed = (conversation.members ?? []).filter((m) => m.user_id !== meId && trust[m.user_id]?.changed);
  if (!changed.length) return null;
  return html`<div class="key-warnings">${changed.map((m) => html`<p class="warning" role="alert">
    <${Icon} name="shield" /> <span>${displayName(m.user)}'s safety number changed: they may have a new device,
    or someone may be in between. <a href=${"/safety/" + m.user_id} onClick=${onLink}>Check it</a> before you share anything sensitive.</span></p>`)}
  </div>`;
}

export function E2eeNote() {
  return html`<p class="e2ee-note"><${Icon} name="lock" /> Messages and files here are end-to-end encrypted.
    Reactions, who replies to whom, and when are visible to the server.</p>`;
}
