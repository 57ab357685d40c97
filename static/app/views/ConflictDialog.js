// An edit the server refused with 409: the message changed meanwhile. Show
// what it says now next to what the user wrote, and let them redo the edit
// on the current version or keep the current text.
import { html } from "../html.js";
import { bodyOf } from "../text/content.js";
import { useSelector, dispatch } from "../hooks.js";

export function ConflictDialog() {
  const conflict = useSelector((s) => s.ui.conflict);
  if (!conflict) return null;
  const close = () => dispatch({ type: "ui/conflict", conflict: null });
  const redo = () => {
    dispatch({ type: "ui/editing", message: { ...conflict.current, draft: conflict.mine } });
    close();
  };
  const keep = () => { dispatch({ type: "ui/editing", message: null }); close(); };
  const onKey = (e) => e.key === "Escape" && keep();
  return html`<div class="dialog-backdrop" onKeyDown=${onKey}>
    <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="conflict-title">
      <h3 id="conflict-title">This message changed while you were editing</h3>
      <p class="label">It now says</p>
      <blockquote class="current-text">${conflict.current.deleted_at ? "(deleted)" : bodyOf(conflict.current)}</blockquote>
      <p class="label">Your edit</p>
      <blockquote class="my-text">${conflict.mine}</blockquote>
      <div class="dialog-actions">
        <button class="button" onClick=${keep}>Keep current text</button>
        ${!conflict.current.deleted_at && html`<button class="button primary" onClick=${redo} autofocus>Redo my edit</button>`}
      </div>
    </div>
  </div>`;
}
