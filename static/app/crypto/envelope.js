// The "nacl-v1" envelope of docs/e2ee.md: a fresh message key per message
// (secretbox), wrapped for every device (box), signed by the sending device.
import { nacl, b64, unb64, utf8, fromUtf8, concat } from "./nacl.js";
import { deviceText } from "./device.js";

export const ALG = "nacl-v1";
export const address = (userId, deviceId) => `${userId}:${deviceId}`;

export class Undecryptable extends Error {}
export class NoKey extends Undecryptable {} // not sealed for any device this browser holds
export class UnknownDevice extends Undecryptable {} // the sending device is not listed (now)

// A published device counts only when its key signature verifies.
export function deviceVerifies(device) {
  try {
    return nacl.sign.detached.verify(utf8(deviceText(device.device_id, device.x25519)), unb64(device.sig),
      unb64(device.ed25519));
  } catch {
    return false;
  }
}

// [{address, x25519 (bytes)}] for every verified device of these users.
export function recipientsOf(users) {
  const out = [];
  for (const user of users) {
    for (const d of user?.keys ?? []) {
      if (deviceVerifies(d)) out.push({ address: address(user.id, d.device_id), x25519: unb64(d.x25519) });
    }
  }
  return out;
}

function signedText(conversationId, env) {
  const lines = Object.keys(env.keys).sort().map((a) => a + "=" + env.keys[a]).join("\n");
  return "chatd-msg-v1\n" + conversationId + "\n" + env.sender_device + "\n" + env.nonce + "\n" + env.ciphertext + "\n" + lines;
}

// payload: {v: 1, body, attachments, sent_at}; device: this browser's (device.js).
export function seal(conversationId, payload, recipients, meId, device) {
  const key = nacl.randomBytes(32);
  const nonce = nacl.randomBytes(24);
  const ciphertext = nacl.secretbox(utf8(JSON.stringify(payload)), nonce, key);
  const keys = {};
  for (const r of recipients) {
    const n = nacl.randomBytes(24);
    keys[r.address] = b64(concat(n, nacl.box(key, n, r.x25519, device.boxSecret)));
  }
  const env = { alg: ALG, sender_device: address(meId, device.device_id), nonce: b64(nonce), ciphertext: b64(ciphertext), keys };
  env.sig = b64(nacl.sign.detached(utf8(signedText(conversationId, env)), device.signSecret));
  return env;
}

// The payload, or an Undecryptable with the reason. Signature first, then
// the key, then the secretbox, as the spec orders it.
export function open(conversationId, message, sender, meId, ring) {
  const env = message.envelope;
  if (!env || env.alg !== ALG) throw new Undecryptable(`unknown format ${env?.alg ?? "(none)"}`);
  const [senderUser, senderDeviceId] = String(env.sender_device).split(":");
  if (senderUser !== message.sender_id) throw new Undecryptable("the sending device does not belong to the sender");
  const device = (sender?.keys ?? []).find((k) => k.device_id === senderDeviceId);
  if (!device) throw new UnknownDevice("it was sent from a device that is not on the sender's account now (removed, or never added), so it cannot be checked");
  if (!deviceVerifies(device)) throw new Undecryptable("the sender's device key has no valid signature");
  let ok = false;
  try {
    ok = nacl.sign.detached.verify(utf8(signedText(conversationId, env)), unb64(env.sig), unb64(device.ed25519));
  } catch { /* malformed: ok stays false */ }
  if (!ok) throw new Undecryptable("the signature does not match: the message was changed or forged");
  const mine = [...ring.values()].find((k) => env.keys?.[address(meId, k.device_id)]);
  if (!mine) throw new NoKey("no key for this device: sent before you joined, or before this browser had keys (restore your key backup)");
  let key;
  try {
    const wrapped = unb64(env.keys[address(meId, mine.device_id)]);
    key = nacl.box.open(wrapped.subarray(24), wrapped.subarray(0, 24), unb64(device.x25519), mine.boxSecret);
  } catch { key = null; }
  if (!key) throw new Undecryptable("the message key could not be unwrapped");
  let plain;
  try {
    plain = nacl.secretbox.open(unb64(env.ciphertext), unb64(env.nonce), key);
  } catch { plain = null; }
  if (!plain) throw new Undecryptable("the ciphertext failed its integrity check");
  let payload;
  try {
    payload = JSON.parse(fromUtf8(plain));
  } catch {
    throw new Undecryptable("the decrypted content is not valid");
  }
  if (payload?.v !== 1 || typeof payload.body !== "string") throw new Undecryptable("the decrypted content is not valid");
  return { body: payload.body, attachments: Array.isArray(payload.attachments) ? payload.attachments : [], sent_at: payload.sent_at };
}
