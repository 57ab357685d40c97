// The IndexedDB schema (idb): what survives a reload and reads offline.
// Each upgrade step is numbered; a browser runs the ones it has not seen.
import { openDB, deleteDB } from "idb";

const NAME = "chatd";
const UPGRADES = [
  // 1: the first schema.
  (db) => {
    db.createObjectStore("conversations", { keyPath: "id" });
    const messages = db.createObjectStore("messages", { keyPath: "id" });
    messages.createIndex("conversation_seq", ["conversation_id", "seq"], { unique: true });
    db.createObjectStore("users", { keyPath: "id" });
    db.createObjectStore("outbox", { keyPath: "client_id" });
    db.createObjectStore("meta"); // cursor, me: one value per key
  },
];

let opened = null;

export function db() {
  opened ??= openDB(NAME, UPGRADES.length, {
    upgrade(database, oldVersion) {
      for (let v = oldVersion; v < UPGRADES.length; v++) UPGRADES[v](database);
    },
  });
  return opened;
}

export async function loadAll() {
  const d = await db();
  const [conversations, users, outbox, cursor, me] = await Promise.all([
    d.getAll("conversations"), d.getAll("users"), d.getAll("outbox"), d.get("meta", "cursor"), d.get("meta", "me"),
  ]);
  outbox.sort((a, b) => a.queued_at - b.queued_at);
  return { conversations, users, outbox, cursor, me };
}

// The newest `limit` messages of a conversation below `beforeSeq`, oldest first.
export async function loadMessages(conversationId, beforeSeq = Infinity, limit = 100) {
  const d = await db();
  const range = IDBKeyRange.bound([conversationId, -Infinity], [conversationId, beforeSeq], false, true);
  const found = [];
  let cursor = await d.transaction("messages").store.index("conversation_seq").openCursor(range, "prev");
  while (cursor && found.length < limit) {
    found.push(cursor.value);
    cursor = await cursor.continue();
  }
  return found.reverse();
}

export async function putMany(storeName, items) {
  if (!items.length) return;
  const tx = (await db()).transaction(storeName, "readwrite");
  await Promise.all([...items.map((item) => tx.store.put(item)), tx.done]);
}

export async function remove(storeName, key) {
  await (await db()).delete(storeName, key);
}

export async function setMeta(key, value) {
  const d = await db();
  if (value === undefined || value === null) await d.delete("meta", key);
  else await d.put("meta", value, key);
}

// Signing out forgets everything this browser kept of the account.
export async function wipe() {
  if (opened) (await opened).close();
  opened = null;
  await deleteDB(NAME);
}
