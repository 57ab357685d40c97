// Writing a message: Enter sends, Shift+Enter starts a new line; the draft
// is kept per conversation; @ opens member suggestions; files come from the
// button, drag and drop or paste, and upload with a progress bar first.
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { html } from "../html.js";
import { Icon } from "./Icon.js";
import { useSelector, dispatch } from "../hooks.js";
import { queueSend, sendTyping } from "../net/sending.js";
import { displayName } from "../store/users.js";
import { plainLine } from "../text/plain.js";
import { bodyOf } from "../text/content.js";
import { useUploads, UploadList } from "./Uploads.js";
import { MentionList, mentionQuery } from "./Mentions.js";

export function Composer({ conversation, me }) {
  const id = conversation.id;
  const text = useSelector((s) => s.ui.drafts[id] ?? "");
  const replyTo = useSelector((s) => s.ui.replyTo);
  const field = useRef(null);
  const files = useRef(null);
  const [caret, setCaret] = useState(0);
  const [dragging, setDragging] = useState(false);
  const uploads = useUploads(id, !!conversation.e2ee);
  const members = (conversation.members ?? []).filter((m) => m.user_id !== me.id).map((m) => m.user).filter(Boolean);
  const query = mentionQuery(text, caret);
  const suggestions = query === null ? [] : members.filter((u) =>
    u.username.startsWith(query.toLowerCase()) || u.display_name.toLowerCase().includes(query.toLowerCase())).slice(0, 6);
  const [picked, setPicked] = useState(0);

  // Opening a conversation on a desktop puts the cursor in the composer
  // (not on a phone, where that would pop the keyboard over the history).
  useLayoutEffect(() => {
    if (matchMedia("(min-width: 721px)").matches) field.current?.focus();
  }, [id]);
  const setText = (value) => dispatch({ type: "ui/draft", conversationId: id, text: value });
  // After a completion, the caret goes after the inserted name once the text is rendered.
  const caretAfterRender = useRef(null);
  useLayoutEffect(() => {
    if (caretAfterRender.current === null) return;
    field.current?.setSelectionRange(caretAfterRender.current, caretAfterRender.current);
    caretAfterRender.current = null;
  });

  function send() {
    const body = text.trim();
    if ((!body && !uploads.ready.length) || uploads.busy) return;
    const mentions = members.filter((u) => new RegExp(`(^|\\W)@${u.username}\\b`, "i").test(body)).map((u) => u.id);
    queueSend(id, body, { replyTo: replyTo?.id ?? null, attachments: uploads.ids, sealed: uploads.sealed, mentions });
    setText("");
    uploads.clear();
    dispatch({ type: "ui/replyTo", message: null });
  }

  function complete(user) {
    const before = text.slice(0, caret).replace(/@([\w.-]*)$/, "@" + user.username + " ");
    setText(before + text.slice(caret));
    setCaret(before.length);
    caretAfterRender.current = before.length;
  }

  function onKeyDown(e) {
    if (suggestions.length && ["ArrowDown", "ArrowUp", "Enter", "Tab"].includes(e.key)) {
      e.preventDefault();
      if (e.key === "ArrowDown") setPicked((picked + 1) % suggestions.length);
      else if (e.key === "ArrowUp") setPicked((picked + suggestions.length - 1) % suggestions.length);
      else complete(suggestions[picked] ?? suggestions[0]);
      return;
    }
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
    if (e.key === "Escape" && replyTo) dispatch({ type: "ui/replyTo", message: null });
  }

  function onInput(e) {
    setText(e.currentTarget.value);
    setCaret(e.currentTarget.selectionStart);
    setPicked(0);
    if (e.currentTarget.value) sendTyping(id);
  }

  const drop = (e) => { e.preventDefault(); setDragging(false); uploads.add([...e.dataTransfer.files]); };
  const paste = (e) => { const f = [...(e.clipboardData?.files ?? [])]; if (f.length) { e.preventDefault(); uploads.add(f); } };

  return html`<div class=${"composer" + (dragging ? " dragging" : "")} onDragOver=${(e) => { e.preventDefault(); setDragging(true); }}
      onDragLeave=${() => setDragging(false)} onDrop=${drop}>
    ${replyTo && html`<div class="replying"><span>Replying to <strong>${displayName(conversation.members?.find((m) => m.user_id === replyTo.sender_id)?.user)}</strong>: ${plainLine(bodyOf(replyTo)).slice(0, 80)}</span>
      <button class="link" onClick=${() => dispatch({ type: "ui/replyTo", message: null })} aria-label="Cancel reply">Cancel</button></div>`}
    <${UploadList} uploads=${uploads} />
    <${MentionList} users=${suggestions} picked=${picked} onPick=${complete} />
    <div class="composer-row">
      <button class="icon-button" aria-label="Attach files" title="Attach files" onClick=${() => files.current.click()}><${Icon} name="clip" /></button>
      <input ref=${files} type="file" multiple hidden aria-label="Choose files"
        onChange=${(e) => { uploads.add([...e.currentTarget.files]); e.currentTarget.value = ""; }} />
      <textarea ref=${field} class="composer-input" aria-label="Message" placeholder=${`${conversation.e2ee ? "Encrypted message" : "Message"} ${conversation.kind === "group" ? conversation.title : ""}`.trim()}
        rows="1" value=${text} onInput=${onInput} onKeyDown=${onKeyDown} onPaste=${paste}
        onClick=${(e) => setCaret(e.currentTarget.selectionStart)}></textarea>
      <button class="button primary send" onClick=${send} disabled=${uploads.busy}>Send</button>
    </div>
  </div>`;
}
