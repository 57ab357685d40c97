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
  // 2: the composer's unsent text, keyed by conversation id (user content,
  // so here and wiped on sign-out, never in localStorage).
  (db) => {
    db.createObjectStore("drafts");
  },
  // 3: end-to-end encryption. `keys`: where device key pairs were kept
  // before they moved to a database per account that outlives sign-out
  // (crypto/keydb.js adopts them from here). `trust`: the safety number
  // last seen per contact.
  (db) => {
    db.createObjectStore("keys", { keyPath: "device_id" });
    db.createObjectStore("trust", { keyPath: "user_id" });
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
  const [conversations, users, outbox, cursor, me, draftKeys, draftTexts] = await Promise.all([
    d.getAll("conversations"), d.getAll("users"), d.getAll("outbox"), d.get("meta", "cursor"), d.get("meta", "me"),
    d.getAllKeys("drafts"), d.getAll("drafts"),
  ]);
  outbox.sort((a, b) => a.queued_at - b.queued_at);
  const drafts = Object.fromEntries(draftKeys.map((k, i) => [k, draftTexts[i]]));
  return { conversations, users, outbox, cursor, me, drafts };
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

export async function getOne(storeName, key) {
  return (await db()).get(storeName, key);
}

export async function getAll(storeName) {
  return (await db()).getAll(storeName);
}

// Every kept message of these conversations (local search of encrypted ones).
export async function messagesOf(conversationIds) {
  const d = await db();
  const found = [];
  for (const id of conversationIds) {
    const range = IDBKeyRange.bound([id, -Infinity], [id, Infinity]);
    found.push(...(await d.getAllFromIndex("messages", "conversation_seq", range)));
  }
  return found;
}

export async function remove(storeName, key) {
  await (await db()).delete(storeName, key);
}

export async function setMeta(key, value) {
  const d = await db();
  if (value === undefined || value === null) await d.delete("meta", key);
  else await d.put("meta", value, key);
}

// An empty draft is no draft: the key goes.
export async function setDraft(conversationId, text) {
  const d = await db();
  if (text) await d.put("drafts", text, conversationId);
  else await d.delete("drafts", conversationId);
}

// Signing out forgets everything this browser kept of the account.
export async function wipe() {
  if (opened) (await opened).close();
  opened = null;
  await deleteDB(NAME);
}
