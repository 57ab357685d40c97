// @-mention suggestions under the composer.
import { html } from "../html.js";
import { Avatar } from "./Avatar.js";

// The word being typed at the caret if it starts with @, else null.
export function mentionQuery(text, caret) {
  const found = text.slice(0, caret).match(/(^|\s)@([\w.-]*)$/);
  return found ? found[2] : null;
}

export function MentionList({ users, picked, onPick }) {
  if (!users.length) return null;
  return html`<ul class="mentions" role="listbox" aria-label="Mention someone">
    ${users.map((u, i) => html`<li role="option" aria-selected=${i === picked} class=${i === picked ? "picked" : ""}
      onMouseDown=${(e) => { e.preventDefault(); onPick(u); }}>
      <${Avatar} user=${u} size="xs" /> <strong>${u.display_name}</strong> <span class="muted">@${u.username}</span></li>`)}
  </ul>`;
}
