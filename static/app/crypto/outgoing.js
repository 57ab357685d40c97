// Sealing what this browser sends in an encrypted conversation: the
// members are asked for at that moment, so every current member's current
// devices get the key and nobody who left does.
import { store } from "../store/index.js";
import { api } from "../net/api.js";
import { keyring } from "./device.js";
import { seal, recipientsOf } from "./envelope.js";
import { e2eeReady } from "./start.js";

export const isEncrypted = (conversationId) => !!store.getState().conversations.byId[conversationId]?.e2ee;

async function currentMembers(conversationId) {
  const conversation = await api.get(`/conversations/${conversationId}`);
  // Only the members: its last_message is still sealed (inbox.js opens those).
  const kept = store.getState().conversations.byId[conversationId];
  if (kept) store.dispatch({ type: "conversations/upsert", conversation: { ...kept, members: conversation.members } });
  return conversation.members.map((m) => m.user).filter(Boolean);
}

// payload: {body, attachments (the encrypted files' details), sent_at}.
export async function sealFor(conversationId, { body, attachments = [], sent_at }) {
  await e2eeReady();
  const [{ current }, users] = await Promise.all([keyring(), currentMembers(conversationId)]);
  const me = store.getState().session.me;
  const recipients = recipientsOf(users);
  const self = `${me.id}:${current.device_id}`;
  if (!recipients.some((r) => r.address === self)) {
    throw new Error(store.getState().session.device === "ok" || !store.getState().session.device
      ? "This browser's keys are not published yet; try again in a moment."
      : "This browser is not one of your devices (see Settings > Devices), so it cannot send encrypted messages.");
  }
  return seal(conversationId, { v: 1, body, attachments, sent_at }, recipients, me.id, current);
}
