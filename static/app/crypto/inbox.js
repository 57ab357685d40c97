// Opens encrypted messages as they enter the store: each gets `plain`
// ({body, attachments}) or `e2ee_error` (the reason it could not be read).
// The store and IndexedDB keep the result, so search and previews can use it.
import { store } from "../store/index.js";
import { api, ApiError } from "../net/api.js";
import { keyring } from "./device.js";
import { open, Undecryptable, NoKey, UnknownDevice } from "./envelope.js";
import { getOne } from "../db.js";

// Sending device address -> {at, fetched}: the last fetch of its user's keys
// made for it. A device the page has not seen is asked about once a minute,
// each device on its own (one fetch per person and minute left a second new
// device unreadable), and messages from it that arrive together wait for the
// same fetch instead of reading the stale keys while it is under way. A fetch
// the server did not answer (offline, a 5xx) is forgotten: the next message asks.
const asked = new Map();

function userOf(id) {
  const s = store.getState();
  for (const c of Object.values(s.conversations.byId)) {
    const m = c.members?.find((x) => x.user_id === id);
    if (m?.user?.keys) return m.user;
  }
  return s.users.byId[id];
}

// A device we do not know may be new: fetch the sender again.
async function freshUser(id, env) {
  const address = String(env?.sender_device ?? "");
  let entry = asked.get(address);
  if (!entry || Date.now() - entry.at >= 60_000) {
    if (asked.size >= 1000) asked.clear(); // forged addresses must not grow it for good
    entry = { at: Date.now(), answered: fetchUser(id) };
    asked.set(address, entry);
  }
  if (!(await entry.answered) && asked.get(address) === entry) asked.delete(address);
  return userOf(id); // fetchUser put what it got into the store, newer keys may be there since
}

// Into the store; true when the server answered (a 404 too: no need to ask again soon).
async function fetchUser(id) {
  let user;
  try {
    user = await api.get(`/users/${id}`);
  } catch (err) {
    return err instanceof ApiError && err.status < 500;
  }
  store.dispatch({ type: "users/upsert", users: [user] });
  // Conversations hold their members' users: keep those current too.
  for (const c of Object.values(store.getState().conversations.byId)) {
    if (!c.members?.some((m) => m.user_id === id)) continue;
    const members = c.members.map((m) => (m.user_id === id ? { ...m, user } : m));
    store.dispatch({ type: "conversations/upsert", conversation: { ...c, members } });
  }
  return true;
}

function knowsDevice(user, env) {
  const deviceId = String(env?.sender_device ?? "").split(":")[1];
  return (user?.keys ?? []).some((k) => k.device_id === deviceId);
}

export async function openOne(m, { again = false } = {}) {
  if (m?.kind !== "encrypted" || !m.envelope || m.deleted_at) return m;
  if (!again && m.plain && m.opened_version === m.version) return m; // failures are tried again
  const { ring } = await keyring();
  const meId = store.getState().session.me?.id;
  let sender = userOf(m.sender_id);
  if (!knowsDevice(sender, m.envelope)) sender = await freshUser(m.sender_id, m.envelope);
  const { plain: _p, e2ee_error: _e, ...rest } = m;
  try {
    return { ...rest, plain: open(m.conversation_id, m, sender, meId, ring), opened_version: m.version };
  } catch (err) {
    if (!(err instanceof Undecryptable)) console.warn("decrypting failed", err);
    const kept = err instanceof UnknownDevice && await openedBefore(m);
    if (kept) return { ...rest, plain: kept, opened_version: m.version };
    return { ...rest, e2ee_error: reason(err), opened_version: m.version };
  }
}

// This very version, opened and checked while its device was listed (it
// has been removed since): what was read then stays readable.
async function openedBefore(m) {
  const held = store.getState().messages.byConversation[m.conversation_id]?.find((x) => x.id === m.id)
    ?? await getOne("messages", m.id).catch(() => null);
  return held?.plain && held.opened_version === m.version && held.version === m.version ? held.plain : null;
}

function reason(err) {
  if (err instanceof NoKey && store.getState().session.device === "removed") {
    return "no key for this device: this browser's device was removed from your account, so new messages are not sealed for it";
  }
  return err instanceof Undecryptable ? err.message : "an unexpected error";
}

export const openMessages = (list, options) => Promise.all(list.map((m) => openOne(m, options)));

// Conversations carry their last message: opened for the list's preview.
export async function openConversations(conversations) {
  return Promise.all(conversations.map(async (c) =>
    c.last_message ? { ...c, last_message: await openOne(c.last_message) } : c));
}

// A conversation the server answered, into the store with its last message opened.
export async function upsertConversation(conversation) {
  const [opened] = await openConversations([conversation]);
  store.dispatch({ type: "conversations/upsert", conversation: opened });
  return opened;
}

// After a restore brought keys: everything that failed is tried again.
export async function reopenFailed() {
  const s = store.getState();
  for (const [conversationId, list] of Object.entries(s.messages.byConversation)) {
    const failed = list.filter((m) => m.e2ee_error);
    if (failed.length) {
      store.dispatch({ type: "messages/upsert", conversationId, messages: await openMessages(failed, { again: true }) });
    }
  }
}
