// The left column: who I am, the app's places, a filter and the
// conversation list (unread counts, last message, presence of the other person).
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { Icon } from "./Icon.js";
import { useSelector } from "../hooks.js";
import { onLink } from "../router.js";
import { selectConversationList, conversationTitle, otherMember, groupPicture } from "../store/conversations.js";
import { selectIsAdmin, selectMe } from "../store/session.js";
import { listTime } from "../text/time.js";
import { plainLine } from "../text/plain.js";
import { Avatar } from "./Avatar.js";
import { bodyOf, isLocked } from "../text/content.js";

function preview(c, meId) {
  const m = c.last_message;
  if (!m) return "No messages yet";
  if (m.deleted_at) return "Message deleted";
  const who = m.sender_id === meId ? "You: " : "";
  if (isLocked(m)) return who + "Encrypted message";
  const text = plainLine(bodyOf(m));
  return who + (text || (m.attachments?.length ? "Attachment" : ""));
}

function Row({ c, meId, active, presence }) {
  const title = conversationTitle(c, meId);
  const other = c.kind === "direct" ? otherMember(c, meId) : null;
  return html`<li>
    <a href=${"/c/" + c.id} onClick=${onLink} class=${"conv" + (active ? " active" : "") + (c.unread ? " unread" : "")}
      aria-current=${active ? "page" : undefined}>
      <${Avatar} user=${other?.user} name=${title} id=${other?.user_id ?? c.id} src=${groupPicture(c)}
        presence=${other ? presence[other.user_id] ?? "offline" : undefined} />
      <span class="conv-text">
        <span class="conv-top"><span class="conv-title">${c.e2ee && html`<span class="lock" role="img" title="End-to-end encrypted" aria-label="Encrypted"><${Icon} name="lock" /></span>`}${title}</span><time>${listTime(c.last_message_at || c.created_at)}</time></span>
        <span class="conv-bottom"><span class="conv-preview">${preview(c, meId)}</span>
          ${c.unread > 0 && html`<span class="badge" aria-label=${c.unread + " unread"}>${c.unread > 99 ? "99+" : c.unread}</span>`}
        </span>
      </span>
    </a>
  </li>`;
}

export function Sidebar({ activeId }) {
  const me = useSelector(selectMe);
  const isAdmin = useSelector(selectIsAdmin);
  const list = useSelector(selectConversationList);
  const presence = useSelector((s) => s.presence.byUser);
  const connected = useSelector((s) => s.ui.connection === "open");
  const [filter, setFilter] = useState("");
  const wanted = filter.trim().toLowerCase();
  const shown = wanted ? list.filter((c) => conversationTitle(c, me.id).toLowerCase().includes(wanted)) : list;
  return html`<aside class="sidebar" aria-label="Conversations">
    <header class="sidebar-head">
      <a href="/settings" onClick=${onLink} class="me" title="Profile and settings">
        <${Avatar} user=${me} presence=${connected ? "online" : "offline"} />
        <span class="me-name">${me.display_name}</span>
      </a>
      <a class="icon-button" href="/new" onClick=${onLink} aria-label="New conversation" title="New conversation"><${Icon} name="plus" /></a>
    </header>
    <nav class="places" aria-label="Places">
      <a href="/contacts" onClick=${onLink}>Contacts</a>
      <a href="/search" onClick=${onLink}>Search</a>
      <a href="/settings" onClick=${onLink}>Settings</a>
      ${isAdmin && html`<a href="/admin" onClick=${onLink}>Admin</a>`}
    </nav>
    <div class="filter"><input type="search" placeholder="Filter conversations" aria-label="Filter conversations"
      value=${filter} onInput=${(e) => setFilter(e.currentTarget.value)} /></div>
    ${list.length === 0
      ? html`<div class="sidebar-empty"><p>No conversations yet.</p><a class="button" href="/new" onClick=${onLink}>Start one</a></div>`
      : html`<ul class="conv-list">${shown.map((c) => html`<${Row} key=${c.id} c=${c} meId=${me.id}
          active=${c.id === activeId} presence=${presence} />`)}</ul>`}
  </aside>`;
}
