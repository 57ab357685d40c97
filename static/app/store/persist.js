// Mirrors store changes into IndexedDB (db.js). Writes are queued in order,
// so the sync cursor is stored only after the events it covers.
import { putMany, remove, setMeta } from "../db.js";
import { savePreferences } from "../prefs.js";

let queue = Promise.resolve();
const later = (write) => {
  queue = queue.then(write).catch((err) => console.warn("IndexedDB write failed", err));
};

// Messages keep no copy of the sender; conversations keep their members' users.
function usersOf(conversation) {
  return (conversation.members ?? []).map((m) => m.user).filter(Boolean);
}

export const persist = (api) => (next) => (action) => {
  const result = next(action);
  switch (action.type) {
    case "session/in":
    case "me/updated":
      later(() => setMeta("me", action.user));
      break;
    case "users/upsert":
      later(() => putMany("users", action.users));
      break;
    case "conversations/loaded":
      later(() => putMany("conversations", action.conversations));
      later(() => putMany("users", action.conversations.flatMap(usersOf)));
      break;
    case "conversations/upsert": {
      const stored = api.getState().conversations.byId[action.conversation.id];
      later(() => putMany("conversations", [stored]));
      break;
    }
    case "conversations/removed":
      later(() => remove("conversations", action.id));
      break;
    case "messages/upsert":
      later(() => putMany("messages", action.messages));
      break;
    case "outbox/put":
      later(() => putMany("outbox", [action.item]));
      break;
    case "outbox/remove":
      later(() => remove("outbox", action.clientId));
      break;
    case "sync/cursor":
      later(() => setMeta("cursor", action.cursor));
      break;
    case "ui/prefs":
      savePreferences(api.getState().ui.prefs);
      break;
  }
  return result;
};

// Resolves once every write queued so far is done (sign-out waits for it).
export const settled = () => queue;
