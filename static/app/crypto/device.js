// This browser's device: an X25519 pair (boxes) and an Ed25519 pair
// (signatures), made with tweetnacl and kept in IndexedDB; published with
// PUT /me/keys, the encryption key signed by the signing key. Keys restored
// from a backup are kept beside it, for reading history.
import { nacl, b64, unb64, utf8, hex } from "./nacl.js";
import { keyDb, closeKeyDb, eraseKeyDb } from "./keydb.js";
import { store } from "../store/index.js";
import { api } from "../net/api.js";

// device_id -> { device_id, x25519_secret, ed25519_seed, own, published?, removed? }
let ring = null;
let current = null; // the device this browser sends with
let owner = null; // whose keys these are

export function expand(record) {
  const box = nacl.box.keyPair.fromSecretKey(record.x25519_secret);
  const sign = nacl.sign.keyPair.fromSeed(record.ed25519_seed);
  return { ...record, boxPublic: box.publicKey, boxSecret: box.secretKey, signPublic: sign.publicKey, signSecret: sign.secretKey };
}

export const deviceText = (deviceId, x25519) => "chatd-device-v1\n" + deviceId + "\n" + x25519;

const me = () => store.getState().session.me?.id;
const keys = () => keyDb(owner);

async function load(userId) {
  owner = userId;
  const d = await keys();
  const records = await d.getAll("keys");
  ring = new Map(records.map((r) => [r.device_id, expand(r)]));
  const ownId = await d.get("meta", "device");
  current = ownId ? ring.get(ownId) ?? null : null;
  if (!current || current.removed) await newDevice();
}

// A fresh key pair; the old one (if any) stays in the ring, for reading.
async function newDevice() {
  const record = { device_id: hex(nacl.randomBytes(16)), x25519_secret: nacl.box.keyPair().secretKey,
    ed25519_seed: nacl.randomBytes(32), own: true, created_at: new Date().toISOString() };
  const tx = (await keys()).transaction(["keys", "meta"], "readwrite");
  await Promise.all([tx.objectStore("keys").put(record), tx.objectStore("meta").put(record.device_id, "device"), tx.done]);
  current = expand(record);
  ring.set(record.device_id, current);
}

async function update(device, changes) {
  Object.assign(device, changes);
  const { boxPublic: _a, boxSecret: _b, signPublic: _c, signSecret: _d, ...record } = device;
  await (await keys()).put("keys", record);
}

let loading = null;
export function keyring() {
  const userId = me();
  if (!userId) return Promise.reject(new Error("not signed in"));
  if (owner !== userId) loading = null;
  loading ??= load(userId).catch((err) => { loading = null; throw err; });
  return loading.then(() => ({ current, ring }));
}

// Signing out keeps the keys (in their own database) and lets go of them here.
export function forgetKeys() {
  ring = null;
  current = null;
  loading = null;
  owner = null;
  closeKeyDb();
}

// This browser's device was removed: erase its keys (session.js signs out).
export async function eraseKeys(userId) {
  forgetKeys();
  await eraseKeyDb(userId);
}

export const keyMeta = async (key) => (await keyDb(me())).get("meta", key);
export const setKeyMeta = async (key, value) => (await keyDb(me())).put("meta", value, key);

export function publicEntry(device = current) {
  const x25519 = b64(device.boxPublic);
  const sig = nacl.sign.detached(utf8(deviceText(device.device_id, x25519)), device.signSecret);
  return { device_id: device.device_id, x25519, ed25519: b64(device.signPublic), sig: b64(sig) };
}

export class DeviceRemoved extends Error {}

// Publishes this device unless the server already lists it as it is. A
// device the server listed once and lists no more was removed (Settings >
// Devices, maybe elsewhere): it is never put back. After a sign-in (the
// password was just typed) this browser becomes a new device and keeps the
// old keys for reading; otherwise DeviceRemoved says so.
export async function publishDevice(user, { signedIn = false } = {}) {
  const { current: device } = await keyring();
  const entry = publicEntry(device);
  const listed = (user.keys ?? []).find((k) => k.device_id === entry.device_id);
  if (listed && listed.x25519 === entry.x25519 && listed.ed25519 === entry.ed25519 && listed.sig) {
    if (!device.published) await update(device, { published: true });
    return user;
  }
  if (device.published && !listed) {
    await update(device, { removed: true, own: false });
    if (!signedIn) throw new DeviceRemoved("This browser's device was removed from your account.");
    await newDevice();
    return publishDevice(user);
  }
  const published = await api.put("/me/keys", publicEntry(device));
  await update(device, { published: true });
  return published;
}

// Seen in a user.updated: this browser's published device is gone.
export function removedHere(user) {
  return !!(current?.published && !current.removed && user.id === owner && !(user.keys ?? []).some((k) => k.device_id === current.device_id));
}

// Keys read from a backup: kept for opening what was sent to those devices.
export async function addRestored(devices) {
  const { ring: known } = await keyring();
  const d = await keys();
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
