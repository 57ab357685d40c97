// This browser's device: an X25519 pair (boxes) and an Ed25519 pair
// (signatures), made with tweetnacl and kept in IndexedDB; published with
// PUT /me/keys, the encryption key signed by the signing key. Keys restored
// from a backup are kept beside it, for reading history.
import { nacl, b64, unb64, utf8, hex } from "./nacl.js";
import { db } from "../db.js";
import { api } from "../net/api.js";

// device_id -> { device_id, x25519_secret, ed25519_seed, own }
let ring = null;
let current = null; // the device this browser sends with

export function expand(record) {
  const box = nacl.box.keyPair.fromSecretKey(record.x25519_secret);
  const sign = nacl.sign.keyPair.fromSeed(record.ed25519_seed);
  return { ...record, boxPublic: box.publicKey, boxSecret: box.secretKey, signPublic: sign.publicKey, signSecret: sign.secretKey };
}

export const deviceText = (deviceId, x25519) => "chatd-device-v1\n" + deviceId + "\n" + x25519;

async function load() {
  const d = await db();
  const records = await d.getAll("keys");
  ring = new Map(records.map((r) => [r.device_id, expand(r)]));
  const ownId = await d.get("meta", "device");
  current = ownId ? ring.get(ownId) ?? null : null;
  if (!current) {
    const record = { device_id: hex(nacl.randomBytes(16)), x25519_secret: nacl.box.keyPair().secretKey,
      ed25519_seed: nacl.randomBytes(32), own: true, created_at: new Date().toISOString() };
    const tx = d.transaction(["keys", "meta"], "readwrite");
    await Promise.all([tx.objectStore("keys").put(record), tx.objectStore("meta").put(record.device_id, "device"), tx.done]);
    current = expand(record);
    ring.set(record.device_id, current);
  }
}

let loading = null;
export function keyring() {
  loading ??= load().catch((err) => { loading = null; throw err; });
  return loading.then(() => ({ current, ring }));
}

// After sign-out the database is gone: the next account starts afresh.
export function forgetKeys() {
  ring = null;
  current = null;
  loading = null;
}

export function publicEntry(device = current) {
  const x25519 = b64(device.boxPublic);
  const sig = nacl.sign.detached(utf8(deviceText(device.device_id, x25519)), device.signSecret);
  return { device_id: device.device_id, x25519, ed25519: b64(device.signPublic), sig: b64(sig) };
}

// Publishes this device unless the server already lists it as it is.
export async function publishDevice(me) {
  const { current: device } = await keyring();
  const entry = publicEntry(device);
  const listed = (me.keys ?? []).find((k) => k.device_id === entry.device_id);
  if (listed && listed.x25519 === entry.x25519 && listed.ed25519 === entry.ed25519 && listed.sig) return me;
  return api.put("/me/keys", entry);
}

// Keys read from a backup: kept for opening what was sent to those devices.
export async function addRestored(devices) {
  const { ring: known } = await keyring();
  const d = await db();
  let added = 0;
  for (const dev of devices) {
    if (known.has(dev.device_id)) continue;
    const record = { device_id: dev.device_id, x25519_secret: unb64(dev.x25519_secret),
      ed25519_seed: unb64(dev.ed25519_seed), own: false, created_at: new Date().toISOString() };
    if (record.x25519_secret.length !== 32 || record.ed25519_seed.length !== 32) throw new Error("a key in the backup is malformed");
    await d.put("keys", record);
    known.set(record.device_id, expand(record));
    added++;
  }
  return added;
}

// Every device key this browser holds, as a backup lists them.
export async function backupList() {
  const { ring: known } = await keyring();
  return [...known.values()].map((k) => ({ device_id: k.device_id, x25519_secret: b64(k.x25519_secret), ed25519_seed: b64(k.ed25519_seed) }));
}
