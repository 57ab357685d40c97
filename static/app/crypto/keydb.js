// Where this browser keeps an account's device keys: one IndexedDB database
// per user ("chatd-keys-<user id>"), apart from the "chatd" one that signing
// out deletes. So the same account signing in again on this browser finds
// its device and reuses it, and another account never opens these keys.
import { openDB, deleteDB } from "idb";
import { db } from "../db.js";

const nameOf = (userId) => `chatd-keys-${userId}`;

let opened = null; // { userId, handle }

// `keys`: {device_id, x25519_secret, ed25519_seed, own, published?, removed?},
// raw bytes, never exported anywhere but into an encrypted key backup
// (docs/architecture.md says why not WebCrypto).
// `meta`: "device" (the one this browser sends with), "backup_done".
export function keyDb(userId) {
  if (opened?.userId !== userId) {
    closeKeyDb();
    opened = { userId, handle: openDB(nameOf(userId), 1, {
      upgrade(d) {
        d.createObjectStore("keys", { keyPath: "device_id" });
        d.createObjectStore("meta");
      },
    }).then(async (d) => { await adoptLegacy(d, userId); return d; }) };
  }
  return opened.handle;
}

export function closeKeyDb() {
  opened?.handle.then((d) => d.close(), () => {});
  opened = null;
}

// Removing this browser's device: its keys go too.
export async function eraseKeyDb(userId) {
  closeKeyDb();
  await deleteDB(nameOf(userId));
}

// Before keys had a database of their own they lived in "chatd" (schema 3):
// move them here once, when they belong to this user, so nobody gets a new
// device (and loses their history) by upgrading.
async function adoptLegacy(d, userId) {
  if (await d.get("meta", "device")) return;
  const old = await db();
  if ((await old.get("meta", "me"))?.id !== userId) return;
  const [records, device, backupDone] = await Promise.all([old.getAll("keys"), old.get("meta", "device"), old.get("meta", "backup_done")]);
  if (!records.length) return;
  const tx = d.transaction(["keys", "meta"], "readwrite");
  await Promise.all([...records.map((r) => tx.objectStore("keys").put(r)),
    device && tx.objectStore("meta").put(device, "device"), backupDone && tx.objectStore("meta").put(true, "backup_done"), tx.done]);
  const clear = old.transaction(["keys", "meta"], "readwrite");
  await Promise.all([clear.objectStore("keys").clear(), clear.objectStore("meta").delete("device"), clear.done]);
}
