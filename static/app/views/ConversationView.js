// One conversation: header (who, presence, typing), the history, the composer.
// Opening it loads what this browser kept, then the newest page from the
// server, and moves the read marker as messages are seen.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { Icon } from "./Icon.js";
import { useSelector, dispatch } from "../hooks.js";
import { onLink } from "../router.js";
import { selectConversation, conversationTitle, otherMember, groupPicture } from "../store/conversations.js";
import { selectMessages } from "../store/messages.js";
import { selectTyping } from "../store/presence.js";
import { displayName } from "../store/users.js";
import { hydrateConversation, loadNewest } from "../net/sync.js";
import { markRead } from "../net/sending.js";
import { fetchPresence } from "../net/events.js";
import { Avatar } from "./Avatar.js";
import { MessageList } from "./MessageList.js";
import { Composer } from "./Composer.js";
import { ConflictDialog } from "./ConflictDialog.js";
import { GroupSettings } from "./GroupSettings.js";
import { KeyChangeWarnings, E2eeNote } from "./E2eeNotes.js";

function TypingLine({ conversation, meId }) {
  const typing = Object.keys(useSelector((s) => selectTyping(s, conversation.id))).filter((id) => id !== meId);
  const names = typing.map((id) => displayName(conversation.members?.find((m) => m.user_id === id)?.user));
  const text = names.length === 0 ? "" : names.length === 1 ? `${names[0]} is typing…` : `${names.join(", ")} are typing…`;
  return html`<div class="typing" aria-live="polite">${text}</div>`;
}

export function ConversationView({ id }) {
  const conversation = useSelector((s) => selectConversation(s, id));
  const me = useSelector((s) => s.session.me);
  const messages = useSelector((s) => selectMessages(s, id));
  const presence = useSelector((s) => s.presence.byUser);
  const [showSettings, setShowSettings] = useState(false);

  useEffect(() => {
    dispatch({ type: "ui/prefs", prefs: { lastConversation: id } });
    hydrateConversation(id).then(() => loadNewest(id)).catch(() => {});
  }, [id]);

  const otherId = conversation?.kind === "direct" ? otherMember(conversation, me.id)?.user_id : null;
  const known = useSelector((s) => otherId && s.presence.byUser[otherId] !== undefined);
  useEffect(() => { if (otherId && !known) fetchPresence(otherId); }, [otherId]);

  const newest = messages.at(-1)?.seq ?? 0;
  useEffect(() => {
    if (!conversation || !newest) return;
    const read = () => document.visibilityState === "visible" && markRead(conversation, newest);
    read();
    document.addEventListener("visibilitychange", read);
    return () => document.removeEventListener("visibilitychange", read);
  }, [newest, !!conversation]);

  if (!conversation) {
    return html`<section class="empty"><h2>Conversation not found</h2>
      <p>It may have been removed, or you are no longer in it.</p>
      <a class="button" href="/" onClick=${onLink}>Back to conversations</a></section>`;
  }
  const title = conversationTitle(conversation, me.id);
  const other = conversation.kind === "direct" ? otherMember(conversation, me.id) : null;
  const state = other ? presence[other.user_id] ?? "offline" : null;
  const subtitle = other ? (state === "online" ? "Online" : state === "away" ? "Away" : "Offline")
    : `${conversation.members?.length ?? 0} members${conversation.topic ? " · " + conversation.topic : ""}`;
  return html`<section class="conversation" aria-label=${"Conversation with " + title}>
    <header class="conv-head">
      <a class="icon-button back" href="/" onClick=${onLink} aria-label="Back to conversations"><${Icon} name="back" /></a>
      <${Avatar} user=${other?.user} name=${title} id=${other?.user_id ?? conversation.id} src=${groupPicture(conversation)}
        presence=${state ?? undefined} />
      <div class="conv-head-text">
        <h2>${conversation.e2ee && html`<span class="lock" role="img" aria-label="End-to-end encrypted" title="End-to-end encrypted"><${Icon} name="lock" /></span>`}${title}</h2>
        <p class="subtitle">${subtitle}</p>
      </div>
      ${other && conversation.e2ee && html`<a class="button" href=${"/safety/" + other.user_id} onClick=${onLink}>Safety number</a>`}
      ${conversation.kind === "group" && html`<button class="button" onClick=${() => setShowSettings(!showSettings)}
        aria-expanded=${showSettings} aria-label="Members and settings">Members</button>`}
    </header>
    ${showSettings && html`<${GroupSettings} conversation=${conversation} me=${me} onClose=${() => setShowSettings(false)} />`}
    ${conversation.e2ee && html`<${E2eeNote} /><${KeyChangeWarnings} conversation=${conversation} meId=${me.id} />`}
    <${MessageList} conversation=${conversation} me=${me} />
    <${TypingLine} conversation=${conversation} meId=${me.id} />
    <${Composer} conversation=${conversation} me=${me} />
    <${ConflictDialog} />
  </section>`;
}
