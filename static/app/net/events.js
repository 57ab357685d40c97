// One path for everything the server tells us: log events (message.created,
// member.joined...) and live frames (presence, typing). Payloads are whole
// entities, so applying one twice is harmless.
import { store } from "../store/index.js";
import { api } from "./api.js";
import { notifyMessage } from "../notify.js";
import { openOne, openConversations } from "../crypto/inbox.js";
import { startE2ee } from "../crypto/start.js";
import { securityEvent } from "../security_events.js";

const state = () => store.getState();
const dispatch = (action) => store.dispatch(action);

function touchConversation(message) {
  const c = state().conversations.byId[message.conversation_id];
  if (!c) return;
  const mine = message.sender_id === state().session.me?.id;
  const open = state().ui.path === `/c/${c.id}` && document.visibilityState === "visible";
  const newer = message.seq > (c.last_seq ?? 0);
  const changes = { last_message: newer || c.last_message?.id === message.id ? message : c.last_message };
  if (newer) {
    changes.last_seq = message.seq;
    changes.last_message_at = message.created_at;
    if (!mine && !open) changes.unread = (c.unread ?? 0) + 1;
  }
  dispatch({ type: "conversations/upsert", conversation: { ...c, ...changes } });
}

function setMember(conversationId, member, gone = false) {
  const c = state().conversations.byId[conversationId];
  if (!c) return;
  const others = (c.members ?? []).filter((m) => m.user_id !== member.user_id);
  const old = (c.members ?? []).find((m) => m.user_id === member.user_id);
  const members = gone ? others : [...others, { ...old, ...member, user: member.user ?? old?.user }];
  dispatch({ type: "conversations/upsert", conversation: { ...c, members } });
}

async function fetchConversation(id) {
  const [conversation] = await openConversations([await api.get(`/conversations/${id}`)]);
  dispatch({ type: "conversations/upsert", conversation });
  dispatch({ type: "users/upsert", users: conversation.members.map((m) => m.user) });
  if (conversation.kind === "direct") {
    const other = conversation.members.find((m) => m.user_id !== state().session.me?.id);
    if (other) await fetchPresence(other.user_id);
  }
}

// The socket sends presence at connect time and on changes only: someone
// met later (a new conversation) is looked up once.
export async function fetchPresence(userId) {
  const user = await api.get(`/users/${userId}`).catch(() => null);
  if (user?.presence) dispatch({ type: "presence/set", userId, state: user.presence });
}

export async function applyEvent(event) {
  const p = event.type.startsWith("message.") || event.type === "reaction.changed"
    ? await openOne(event.payload) : event.payload;
  const meId = state().session.me?.id;
  switch (event.type) {
    case "message.created":
      dispatch({ type: "messages/upsert", messages: [p] });
      dispatch({ type: "typing/stop", conversationId: p.conversation_id, userId: p.sender_id });
      if (p.sender_id === meId && p.client_id) dispatch({ type: "outbox/remove", clientId: p.client_id });
      touchConversation(p);
      if (p.sender_id !== meId) notifyMessage(p);
      break;
    case "message.updated":
    case "message.deleted":
    case "reaction.changed":
      dispatch({ type: "messages/upsert", messages: [p] });
      touchConversation(p);
      break;
    case "conversation.created":
    case "conversation.updated": {
      const old = state().conversations.byId[p.id];
      if (old) dispatch({ type: "conversations/upsert", conversation: (await openConversations([{ ...old, ...p }]))[0] });
      else await fetchConversation(p.id);
      break;
    }
    case "member.joined":
    case "member.updated":
      if (!state().conversations.byId[event.conversation_id]) await fetchConversation(event.conversation_id);
      else if (p.user_id !== meId || event.type === "member.updated") {
        if (!p.user && !state().users.byId[p.user_id]) await fetchConversation(event.conversation_id);
        else setMember(event.conversation_id, { ...p, user: p.user ?? state().users.byId[p.user_id] });
      }
      break;
    case "member.left":
      if (p.user_id === meId) dispatch({ type: "conversations/removed", id: event.conversation_id });
      else setMember(event.conversation_id, p, true);
      break;
    case "read.updated": {
      const c = state().conversations.byId[p.conversation_id];
      const member = c?.members?.find((m) => m.user_id === p.user_id);
      if (member) setMember(p.conversation_id, { ...member, last_read_seq: p.last_read_seq });
      if (c && p.user_id === meId) {
        const unread = Math.max(0, (c.last_seq ?? 0) - p.last_read_seq);
        dispatch({ type: "conversations/upsert", conversation: { ...state().conversations.byId[c.id], unread } });
      }
      break;
    }
    case "contact.updated":
      dispatch({ type: "contacts/upsert", contact: p });
      break;
    case "contact.removed":
      dispatch({ type: "contacts/removed", userId: p.user_id });
      break;
    case "user.updated":
      if (p.id === meId) dispatch({ type: "me/updated", user: p });
      break;
    case "security.activity":
      securityEvent(p);
      break;
  }
}

const typingTimers = new Map();

export function applyFrame(frame) {
  switch (frame.type) {
    case "presence":
      dispatch({ type: "presence/set", userId: frame.user_id, state: frame.state });
      break;
    case "typing": {
      const key = frame.conversation_id + frame.user_id;
      clearTimeout(typingTimers.get(key));
      dispatch({ type: "typing/start", conversationId: frame.conversation_id, userId: frame.user_id });
      typingTimers.set(key, setTimeout(() => dispatch({ type: "typing/stop",
        conversationId: frame.conversation_id, userId: frame.user_id }), frame.expires_in * 1000));
      break;
    }
    case "features.updated": {
      const was = state().session.features?.e2ee;
      dispatch({ type: "session/features", features: frame.features });
      // Switched on while this page is open: make and publish the device now.
      if (frame.features?.e2ee && !was) startE2ee().catch((err) => console.warn("end-to-end encryption setup failed", err));
      break;
    }
    case "error":
      console.warn("server error frame", frame);
      break;
  }
}
