// Writing: sends go through the outbox (optimistic, in order, same client_id
// on every attempt, so the server never stores one twice); edits carry the
// version they saw; reactions, deletes, read markers and typing.
import { store } from "../store/index.js";
import { api, ApiError, NetworkError } from "./api.js";
import { currentSocket } from "./sync.js";
import { SocketClosed } from "./socket.js";
import { isEncrypted, sealFor } from "../crypto/outgoing.js";
import { openOne } from "../crypto/inbox.js";

const dispatch = (action) => store.dispatch(action);

export function newClientId() {
  return "web-" + crypto.randomUUID().replaceAll("-", "");
}

// sealed: in an encrypted conversation, the encrypted files' details (keys
// included) that travel inside the envelope; `attachments` holds their ids.
export function queueSend(conversationId, body, { replyTo = null, attachments = [], mentions = [], sealed = [] } = {}) {
  const encrypted = isEncrypted(conversationId);
  const item = {
    client_id: newClientId(), conversation_id: conversationId, body, reply_to: replyTo, attachments,
    mentions: encrypted ? [] : mentions, encrypted, sealed,
    queued_at: Date.now(), created_at: new Date().toISOString(), state: "pending", error: null,
  };
  dispatch({ type: "outbox/put", item });
  flushOutbox();
  return item;
}

// The error's text for a refused send: the server's reason when it gave one.
const reason = (err) => err.problem?.detail || err.detail || err.message || "The server refused this message.";

async function contentOf(item) {
  if (!item.encrypted) return { body: item.body };
  const envelope = await sealFor(item.conversation_id, { body: item.body, attachments: item.sealed ?? [], sent_at: item.created_at });
  return { kind: "encrypted", envelope };
}

async function deliver(item) {
  const fields = { client_id: item.client_id, ...(await contentOf(item)) };
  if (item.reply_to) fields.reply_to = item.reply_to;
  if (item.attachments?.length) fields.attachments = item.attachments;
  if (item.mentions?.length) fields.mentions = item.mentions;
  const socket = currentSocket();
  if (socket?.isOpen()) {
    try {
      const ack = await socket.request({ type: "send", id: item.client_id, conversation_id: item.conversation_id, ...fields });
      return ack.message;
    } catch (err) {
      if (err instanceof SocketClosed) throw err;
      throw new ApiError(err, err.status); // an error frame: the server refused it
    }
  }
  return api.post(`/conversations/${item.conversation_id}/messages`, fields);
}

let flushing = false;

export async function flushOutbox() {
  if (flushing) return;
  flushing = true;
  try {
    for (;;) {
      const item = store.getState().outbox.items.find((i) => i.state === "pending");
      if (!item) return;
      try {
        const message = await openOne(await deliver(item));
        dispatch({ type: "messages/upsert", messages: [message] });
        dispatch({ type: "outbox/remove", clientId: item.client_id });
      } catch (err) {
        if (err instanceof NetworkError || err instanceof SocketClosed || err.status === 429 || err.status >= 500) {
          return; // try again when the connection is back
        }
        dispatch({ type: "outbox/put", item: { ...item, state: "failed", error: reason(err) } });
      }
    }
  } finally {
    flushing = false;
  }
}

export function retrySend(item) {
  dispatch({ type: "outbox/put", item: { ...item, state: "pending", error: null } });
  flushOutbox();
}

export function discardSend(item) {
  dispatch({ type: "outbox/remove", clientId: item.client_id });
}

// An edit names the version it was made on; 409 brings the current message.
export async function editMessage(message, body) {
  try {
    const content = message.kind === "encrypted"
      ? { envelope: await sealFor(message.conversation_id, { body, attachments: message.plain?.attachments ?? [],
          sent_at: message.plain?.sent_at ?? message.created_at }) }
      : { body };
    const updated = await openOne(await api.patch(`/messages/${message.id}`, { ...content, version: message.version }));
    dispatch({ type: "messages/upsert", messages: [updated] });
    dispatch({ type: "ui/editing", message: null });
  } catch (err) {
    if (err.code !== "version_conflict") throw err;
    const current = await openOne(err.problem.current);
    dispatch({ type: "messages/upsert", messages: [current] });
    dispatch({ type: "ui/conflict", conflict: { current, mine: body } });
  }
}

export async function deleteMessage(message) {
  await api.del(`/messages/${message.id}`);
}

export async function toggleReaction(message, emoji, meId) {
  const mine = (message.reactions?.[emoji] ?? []).includes(meId);
  const path = `/messages/${message.id}/reactions/${encodeURIComponent(emoji)}`;
  const updated = await openOne(mine ? await api.del(path) : await api.put(path));
  dispatch({ type: "messages/upsert", messages: [updated] });
}

let lastTyping = 0;
export function sendTyping(conversationId) {
  if (Date.now() - lastTyping < 2500) return;
  lastTyping = Date.now();
  currentSocket()?.send({ type: "typing", conversation_id: conversationId });
}

export function markRead(conversation, seq) {
  const c = store.getState().conversations.byId[conversation.id];
  if (!c || seq <= 0) return;
  if (c.unread) dispatch({ type: "conversations/upsert", conversation: { ...c, unread: 0 } });
  const member = c.members?.find((m) => m.user_id === store.getState().session.me?.id);
  if (member && member.last_read_seq >= seq) return;
  if (!currentSocket()?.send({ type: "read", conversation_id: c.id, seq })) {
    api.post(`/conversations/${c.id}/read`, { seq }).catch(() => {});
  }
}
