// Keeps the store in step with the server: bootstrap over REST, then the
// socket's events (resumed with `since`), each applied through one path and
// written to IndexedDB before the cursor moves past it.
import { store } from "../store/index.js";
import { api } from "./api.js";
import { createSocket } from "./socket.js";
import { applyEvent, applyFrame } from "./events.js";
import { flushOutbox } from "./sending.js";
import { loadMessages } from "../db.js";
import { openMessages, openConversations } from "../crypto/inbox.js";

let socket = null;
let cursor = null;
let applying = Promise.resolve(); // events are applied one at a time, in order

export const currentSocket = () => socket;

function setCursor(value) {
  cursor = value;
  store.dispatch({ type: "sync/cursor", cursor: value });
}

// The conversation list (unread counts, last messages) and the newest page
// of the open conversation: cheap, and it covers anything a resume skipped.
export async function refresh() {
  const { items } = await api.get("/conversations");
  store.dispatch({ type: "conversations/loaded", conversations: await openConversations(items) });
  const open = store.getState().ui.path.match(/^\/c\/([^/]+)/)?.[1];
  if (open) await loadNewest(open);
}

export async function loadNewest(conversationId) {
  const page = await api.get(`/conversations/${conversationId}/messages`, { limit: 50 });
  page.items = await openMessages(page.items);
  const known = store.getState().messages.byConversation[conversationId] ?? [];
  const newestKnown = known.at(-1)?.seq ?? 0;
  if (page.items.length && page.items[0].seq > newestKnown + 1 && known.length) {
    // A hole between what we kept and the newest page (e.g. after a 410):
    // show the newest page alone; older pages load again as the reader scrolls.
    store.dispatch({ type: "messages/replace", conversationId, messages: page.items, hasMore: page.has_more });
    return;
  }
  // Already holding more than this page: whether older ones exist is unchanged.
  store.dispatch({ type: "messages/upsert", messages: page.items, conversationId,
    hasMore: known.length > page.items.length ? undefined : page.has_more });
}

// Older history: IndexedDB first (works offline), the server for the rest.
export async function loadOlder(conversationId) {
  const loaded = store.getState().messages.byConversation[conversationId] ?? [];
  const before = loaded[0]?.seq ?? Infinity;
  if (before <= 1) return store.dispatch({ type: "messages/hasMore", conversationId, hasMore: false });
  const local = await openMessages(await loadMessages(conversationId, before, 100));
  if (local.length && local.at(-1).seq === before - 1 && local[0].seq === before - local.length) {
    return store.dispatch({ type: "messages/upsert", messages: local, conversationId,
      hasMore: local[0].seq > 1 });
  }
  const page = await api.get(`/conversations/${conversationId}/messages`,
    { limit: 100, before_seq: Number.isFinite(before) ? before : undefined });
  page.items = await openMessages(page.items);
  store.dispatch({ type: "messages/upsert", messages: page.items, conversationId, hasMore: page.has_more });
}

// Offline, or before the server answers: what this browser kept.
export async function hydrateConversation(conversationId) {
  const local = await openMessages(await loadMessages(conversationId, Infinity, 100));
  store.dispatch({ type: "messages/upsert", messages: local, conversationId });
}

async function onReady(head) {
  if (!cursor) setCursor(head);
  try {
    await refresh();
  } catch (err) {
    console.warn("refresh failed", err);
  }
  flushOutbox();
}

export function goOnline(onAuthLost, storedCursor) {
  cursor = storedCursor ?? null;
  socket?.stop();
  socket = createSocket({
    cursor: () => cursor,
    onEvent: (event) => {
      applying = applying.then(() => applyEvent(event)).catch((err) => console.warn("event", err))
        .then(() => setCursor(String(event.seq)));
    },
    onFrame: applyFrame,
    onReady,
    onState: (state) => store.dispatch({ type: "ui/connection", state }),
    // 410: the server cannot replay from here. Start over from its head.
    onCursorLost: () => setCursor(null),
    onAuthLost,
  });
  socket.start();
}

export function goOffline() {
  socket?.stop();
  socket = null;
  cursor = null;
}
