// Editing one's own message in place: Enter saves, Escape cancels.
import { useEffect, useRef, useState } from "preact/hooks";
import { html } from "../html.js";
import { useSelector, dispatch } from "../hooks.js";
import { editMessage } from "../net/sending.js";
import { bodyOf } from "../text/content.js";

export function EditBox({ message }) {
  // The message as it was when the edit began: its version goes to the
  // server, so a change made meanwhile elsewhere is a 409, not lost. A redo
  // after a conflict starts from the current version with the user's text.
  const base = useSelector((s) => s.ui.editing) ?? message;
  const [text, setText] = useState(base.draft ?? bodyOf(base));
  const field = useRef(null);
  useEffect(() => { field.current?.focus(); }, []);
  const cancel = () => dispatch({ type: "ui/editing", message: null });
  const save = () => editMessage(base, text.trim()).catch((err) => dispatch({ type: "ui/notice", text: err.message }));
  function onKey(e) {
    if (e.key === "Escape") cancel();
    else if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); save(); }
  }
  return html`<div class="edit-box">
    <textarea ref=${field} aria-label="Edit message" value=${text} rows="2"
      onInput=${(e) => setText(e.currentTarget.value)} onKeyDown=${onKey}></textarea>
    <div class="edit-actions"><button class="button" onClick=${cancel}>Cancel</button>
      <button class="button primary" onClick=${save} disabled=${!text.trim()}>Save</button></div>
  </div>`;
}
