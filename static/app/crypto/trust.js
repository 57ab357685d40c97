// Safety numbers (docs/e2ee.md) and what this browser saw of them: each
// contact's fingerprint (their own keys, so a new device of mine warns
// nobody on my side, as in chatd.client) is kept in IndexedDB; when it
// changes the contact is marked `changed` until the person marks them
// verified again.
import { nacl, utf8, hex } from "./nacl.js";
import { db } from "../db.js";
import { store } from "../store/index.js";
import { deviceVerifies } from "./envelope.js";

export function fingerprint(user) {
  const keys = (user.keys ?? []).filter(deviceVerifies).map((k) => k.ed25519).sort();
  return nacl.hash(utf8("chatd-safety-v1\n" + user.id + "\n" + keys.join("\n")));
}

function groups(bytes, count = 6) {
  const out = [];
  for (let g = 0; g < count; g++) {
    let n = 0;
    for (let i = 0; i < 5; i++) n = n * 256 + bytes[g * 5 + i];
    out.push(String(n % 100000).padStart(5, "0"));
  }
  return out;
}

// 12 groups of 5 digits, the same on both sides.
export function safetyNumber(a, b) {
  const [first, second] = a.id < b.id ? [a, b] : [b, a];
  return [...groups(fingerprint(first).subarray(0, 30)), ...groups(fingerprint(second).subarray(0, 30))];
}

// One device, in the same digits: 4 groups of 5 from
// SHA-512("chatd-device-fp-v1\n" + ed25519 b64), to tell devices apart and
// compare a device's own screen with the list (docs/e2ee.md).
export const deviceFingerprint = (key) => groups(nacl.hash(utf8("chatd-device-fp-v1\n" + key.ed25519)), 4).join(" ");

export async function loadTrust() {
  const items = await (await db()).getAll("trust");
  store.dispatch({ type: "trust/loaded", items });
}

// Called with users as they are met: records a first number, flags a change.
export async function noteKeys(users) {
  const me = store.getState().session.me;
  if (!me) return;
  const known = store.getState().trust.byUser;
  const changed = [];
  for (const user of users) {
    if (!user?.id || user.id === me.id || !user.keys?.length) continue;
    const print = hex(fingerprint(user));
    const old = known[user.id];
    if (old?.fingerprint === print) continue;
    changed.push(old ? { ...old, fingerprint: print, previous: old.fingerprint, changed: true, verified: false, seen_at: new Date().toISOString() }
      : { user_id: user.id, fingerprint: print, verified: false, changed: false, seen_at: new Date().toISOString() });
  }
  if (!changed.length) return;
  store.dispatch({ type: "trust/put", items: changed });
  const tx = (await db()).transaction("trust", "readwrite");
  await Promise.all([...changed.map((t) => tx.store.put(t)), tx.done]);
}

// The person compared the numbers: trust the contact's keys seen now.
export async function markVerified(user) {
  const userId = user.id;
  const item = { ...store.getState().trust.byUser[userId], user_id: userId, fingerprint: hex(fingerprint(user)), verified: true, changed: false,
    verified_at: new Date().toISOString() };
  store.dispatch({ type: "trust/put", items: [item] });
  await (await db()).put("trust", item);
}
