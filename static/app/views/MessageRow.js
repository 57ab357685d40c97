// One message: a day separator when the day changes, the sender (unless
// grouped with the previous message), the text, reactions, and actions on
// hover or keyboard focus: reply, react, edit and delete (own messages).
// Pending and refused sends show their state, with retry and discard.
import { useErrorBoundary, useState } from "preact/hooks";
import { html } from "../html.js";
import { Icon } from "./Icon.js";
import { useSelector, dispatch } from "../hooks.js";
import { renderText } from "../text/markdown.js";
import { timeOf } from "../text/time.js";
import { plainLine } from "../text/plain.js";
import { displayName } from "../store/users.js";
import { retrySend, discardSend, deleteMessage, toggleReaction } from "../net/sending.js";
import { Avatar } from "./Avatar.js";
import { EditBox } from "./EditBox.js";
import { Attachments } from "./Attachments.js";
import { SealedAttachments } from "./SealedAttachments.js";
import { bodyOf } from "../text/content.js";

const sentence = (reason) => reason[0].toUpperCase() + reason.slice(1) + ".";

const QUICK = ["👍", "❤️", "😂", "🎉", "😮", "😢"];

function senderOf(conversation, id, users) {
  return conversation.members?.find((m) => m.user_id === id)?.user ?? users[id];
}

function Reactions({ message, me }) {
  const entries = Object.entries(message.reactions ?? {}).filter(([, who]) => who.length);
  if (!entries.length) return null;
  return html`<div class="reactions">${entries.map(([emoji, who]) => html`
    <button class=${"reaction" + (who.includes(me.id) ? " mine" : "")} onClick=${() => toggleReaction(message, emoji, me.id)}
      aria-pressed=${who.includes(me.id)} aria-label=${`${emoji} ${who.length}`}>${emoji} <span>${who.length}</span></button>`)}
  </div>`;
}

function Quote({ conversation, id, users }) {
  const quoted = useSelector((s) => s.messages.byConversation[conversation.id]?.find((m) => m.id === id));
  if (!quoted) return html`<div class="quote">Reply to an earlier message</div>`;
  return html`<div class="quote"><strong>${displayName(senderOf(conversation, quoted.sender_id, users))}</strong>
    <span>${quoted.deleted_at ? "Message deleted" : quoted.e2ee_error ? "Could not be decrypted" : plainLine(bodyOf(quoted)).slice(0, 200)}</span></div>`;
}

// One message that fails to render must not take the conversation with it.
export function MessageRow(props) {
  const [failed] = useErrorBoundary((err) => console.warn("message not shown", err));
  if (failed) return html`<div data-key=${props.message.id ?? props.message.client_id} class="row">
    <p class="muted">This message could not be shown.</p></div>`;
  return html`<${Row} ...${props} />`;
}

function Row({ message: m, me, conversation, day, grouped, seenBy }) {
  const users = useSelector((s) => s.users.byId);
  const editing = useSelector((s) => s.ui.editing?.id === m.id && !!m.id);
  const [picking, setPicking] = useState(false);
  const mine = m.sender_id === me.id;
  const sender = senderOf(conversation, m.sender_id, users);
  const mentionNames = new Set((conversation.members ?? []).map((x) => x.user?.username).filter(Boolean));
  const act = (fn) => () => fn().catch((err) => dispatch({ type: "ui/notice", text: err.message }));
  const cls = ["msg", mine ? "mine" : "theirs", grouped ? "grouped" : "", m.pending ? "pending" : "",
    m.state === "failed" ? "failed" : "", m.deleted_at ? "deleted" : ""].join(" ");
  return html`<div data-key=${m.id ?? m.client_id} class="row">
    ${day && html`<div class="day" role="separator"><span>${day}</span></div>`}
    <article class=${cls} aria-label=${`${mine ? "You" : displayName(sender)} at ${timeOf(m.created_at)}`}>
      ${!mine && (grouped ? html`<span class="avatar-gap"></span>` : html`<${Avatar} user=${sender} size="sm" />`)}
      <div class="bubble-col">
        ${!grouped && !mine && html`<div class="sender">${displayName(sender)}</div>`}
        <div class="bubble">
          ${m.reply_to && html`<${Quote} conversation=${conversation} id=${m.reply_to} users=${users} />`}
          ${m.deleted_at ? html`<p class="muted">This message was deleted.</p>`
            : editing ? html`<${EditBox} message=${m} />`
            : m.e2ee_error ? html`<div class="undecryptable" role="note"><${Icon} name="shield" />
                <span><strong>This message could not be decrypted.</strong> ${sentence(m.e2ee_error)}</span></div>`
            : m.kind === "encrypted" && !m.plain && !m.pending ? html`<p class="muted">Decrypting…</p>`
            : html`<div class="text">${renderText(bodyOf(m), mentionNames)}</div>`}
          ${m.plain?.attachments?.length > 0 && !m.deleted_at && html`<${SealedAttachments} items=${m.plain.attachments} />`}
          ${m.kind !== "encrypted" && !m.encrypted && m.attachments?.length > 0 && !m.deleted_at && html`<${Attachments} ids=${m.attachments} conversationId=${conversation.id} />`}
          ${m.pending && m.sealed?.length > 0 && html`<${SealedAttachments} items=${m.sealed} />`}
          <div class="meta">
            ${m.edited_at && !m.deleted_at && html`<span>edited</span>`}
            <time datetime=${m.created_at}>${timeOf(m.created_at)}</time>
            ${m.pending && m.state !== "failed" && html`<span class="state">Sending…</span>`}
          </div>
        </div>
        ${m.state === "failed" && html`<div class="failed-note" role="alert">Not sent: ${m.error}
          <button class="link" onClick=${() => retrySend(m)}>Retry</button>
          <button class="link" onClick=${() => discardSend(m)}>Discard</button></div>`}
        <${Reactions} message=${m} me=${me} />
        ${seenBy?.length > 0 && html`<div class="seen">Seen by ${seenBy.map(displayName).join(", ")}</div>`}
      </div>
      ${!m.pending && !m.deleted_at && !editing && html`<div class="actions">
        <button class="icon-button" aria-label="Reply" title="Reply" onClick=${() => dispatch({ type: "ui/replyTo", message: m })}><${Icon} name="reply" /></button>
        <button class="icon-button" aria-label="Add reaction" title="React" aria-expanded=${picking} onClick=${() => setPicking(!picking)}><${Icon} name="smile" /></button>
        ${mine && !m.e2ee_error && html`<button class="icon-button" aria-label="Edit message" title="Edit" onClick=${() => dispatch({ type: "ui/editing", message: m })}><${Icon} name="edit" /></button>
          <button class="icon-button" aria-label="Delete message" title="Delete"
            onClick=${act(() => confirm("Delete this message for everyone?") ? deleteMessage(m) : Promise.resolve())}><${Icon} name="trash" /></button>`}
        ${picking && html`<div class="picker" role="menu">${QUICK.map((e) => html`<button role="menuitem" aria-label=${"React " + e}
          onClick=${act(async () => { setPicking(false); await toggleReaction(m, e, me.id); })}>${e}</button>`)}</div>`}
      </div>`}
    </article>
  </div>`;
}
