// Key backup (docs/e2ee.md): every device key this browser holds, sealed
// with a key derived from the recovery passphrase, stored on the server.
// This browser writes PBKDF2-SHA256 (600,000 rounds, WebCrypto) and reads
// that and Argon2id (the Python client's; in a worker, see argon2-worker.js).
import { nacl, b64, unb64, utf8, fromUtf8 } from "./nacl.js";
import { api } from "../net/api.js";
import { backupList, addRestored, setKeyMeta } from "./device.js";

export const PBKDF2_ROUNDS = 600_000;

async function pbkdf2(passphrase, salt, iterations) {
  const base = await crypto.subtle.importKey("raw", utf8(passphrase), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, base, 256);
  return new Uint8Array(bits);
}

function argon2id(passphrase, salt, ops, memKib) {
  return new Promise((resolve, reject) => {
    const worker = new Worker("/static/app/crypto/argon2-worker.js");
    worker.onmessage = (e) => { worker.terminate(); e.data.key ? resolve(e.data.key) : reject(new Error(e.data.error)); };
    worker.onerror = (e) => { worker.terminate(); reject(new Error(e.message || "the Argon2id worker failed")); };
    worker.postMessage({ passphrase, salt, ops, memKib });
  });
}

export class WrongPassphrase extends Error {}

async function keyFor(passphrase, kdf) {
  const salt = unb64(kdf.salt);
  if (kdf.name === "pbkdf2-sha256") {
    if (!(kdf.iterations >= 100_000 && kdf.iterations <= 10_000_000)) throw new Error("the backup's PBKDF2 settings are out of range");
    return pbkdf2(passphrase, salt, kdf.iterations);
  }
  if (kdf.name === "argon2id") {
    if (!(kdf.ops >= 1 && kdf.ops <= 10 && kdf.mem_kib >= 8192 && kdf.mem_kib <= 1_048_576)) throw new Error("the backup's Argon2id settings are out of range");
    return argon2id(passphrase, salt, kdf.ops, kdf.mem_kib);
  }
  throw new Error(`this browser cannot read a backup made with ${kdf.name}`);
}

// A stored backup that this passphrase does not open: replaced only when
// the person says so (BackupForm asks), since keys only it holds go with it.
export class OtherBackup extends Error {}

// Seals every key this browser holds and stores it. A stored backup that
// the same passphrase opens is merged in first, so no device's key is lost.
export async function makeBackup(passphrase, { merged = false, replace = false } = {}) {
  const stored = merged ? null : await api.get("/me/key-backup").catch((err) => { if (err.status === 404) return null; throw err; });
  if (stored) {
    const devices = await openBackup(stored, passphrase).catch((err) => {
      if (err instanceof WrongPassphrase) return null;
      throw err;
    });
    if (devices) await addRestored(devices);
    else if (!replace) throw new OtherBackup("A key backup made with another passphrase is stored.");
  }
  const salt = nacl.randomBytes(16);
  const key = await pbkdf2(passphrase, salt, PBKDF2_ROUNDS);
  const nonce = nacl.randomBytes(24);
  const ciphertext = nacl.secretbox(utf8(JSON.stringify({ devices: await backupList() })), nonce, key);
  await api.put("/me/key-backup", { v: 1, kdf: { name: "pbkdf2-sha256", iterations: PBKDF2_ROUNDS, salt: b64(salt) },
    nonce: b64(nonce), ciphertext: b64(ciphertext) });
  await setKeyMeta("backup_done", true);
}

// Reads the server's backup with the passphrase, keeps its keys, then
// stores a new backup that also holds this browser's own device.
export async function restoreBackup(passphrase) {
  const devices = await openBackup(await api.get("/me/key-backup"), passphrase);
  const added = await addRestored(devices);
  await makeBackup(passphrase, { merged: true });
  return { added, total: devices.length };
}

export async function openBackup(backup, passphrase) {
  if (backup.v !== 1 || !backup.kdf) throw new Error("the backup has a format this browser does not know");
  const key = await keyFor(passphrase, backup.kdf);
  const plain = nacl.secretbox.open(unb64(backup.ciphertext), unb64(backup.nonce), key);
  if (!plain) throw new WrongPassphrase("That passphrase does not open the backup.");
  const { devices } = JSON.parse(fromUtf8(plain));
  if (!Array.isArray(devices)) throw new Error("the backup holds no key list");
  return devices;
}

export const deleteBackup = () => api.del("/me/key-backup");
