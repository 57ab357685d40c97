// After sign-in: read the feature flags, and where e2ee is on make sure this
// browser has a published device and learn whether a key backup exists
// (a new browser is then offered to restore it).
import { store } from "../store/index.js";
import { api } from "../net/api.js";
import { publishDevice, removedHere, keyMeta, DeviceRemoved } from "./device.js";
import { loadTrust, noteKeys } from "./trust.js";
import { navigate } from "../router.js";

export async function loadFeatures() {
  const { features } = await api.get("/me/features");
  store.dispatch({ type: "session/features", features });
  return features;
}

let started = Promise.resolve();
// Sending waits for this, so a message sent right after sign-in is sealed
// for this browser's device too.
export const e2eeReady = () => started.catch(() => {});

export function startE2ee(options) {
  started = setUp(options);
  return started;
}

const deviceState = (state) => store.dispatch({ type: "e2ee/device", state });

async function setUp(options) {
  const features = await loadFeatures().catch(() => store.getState().session.features);
  if (!features?.e2ee) return;
  await publish(options);
  await loadTrust();
  watchKeys();
  await checkBackup();
}

// 409 too_many_devices: Settings > Devices says why and publish() runs
// again once one is removed. A removed device is told so (Banner).
async function publish(options) {
  const me = store.getState().session.me;
  try {
    const published = await publishDevice(me, options);
    if (published !== me) store.dispatch({ type: "me/updated", user: published });
    deviceState("ok");
    watchOwnDevice();
  } catch (err) {
    if (err instanceof DeviceRemoved) deviceState("removed");
    else if (err.code === "too_many_devices") {
      deviceState("too_many");
      navigate("/settings");
      retryWhenRoom();
    } else throw err;
  }
}

// A device removed anywhere (user.updated) makes room: try again then.
function retryWhenRoom() {
  const count = () => store.getState().session.me?.keys?.length ?? 0;
  let last = count();
  const stop = store.subscribe(() => {
    if (store.getState().session.device !== "too_many") return stop();
    const now = count();
    if (now >= last) { last = now; return; }
    stop();
    publish().catch((err) => console.warn("publishing this device", err));
  });
}

// Removed from another device while this page is open: the server's word
// (GET /me) is asked before saying so, since a user.updated may be older
// than this browser's own PUT.
let watchingOwn = null;
function watchOwnDevice() {
  let seen = null;
  watchingOwn?.();
  watchingOwn = store.subscribe(() => {
    const me = store.getState().session.me;
    if (me === seen) return;
    seen = me;
    if (me && removedHere(me)) {
      api.get("/me").then((fresh) => { if (removedHere(fresh)) { watchingOwn?.(); deviceState("removed"); } }).catch(() => {});
    }
  });
}

// Members of encrypted conversations, whenever they change: a new safety
// number is recorded, a changed one flagged (crypto/trust.js).
let watching = null;
function watchKeys() {
  let seen = null;
  const check = () => {
    const s = store.getState();
    if (s.conversations.byId === seen?.c && s.users.byId === seen?.u && s.session.me === seen?.m) return;
    seen = { c: s.conversations.byId, u: s.users.byId, m: s.session.me };
    const ids = new Set();
    const people = [];
    for (const c of Object.values(s.conversations.byId)) {
      if (!c.e2ee) continue;
      for (const m of c.members ?? []) {
        const user = m.user;
        if (user && !ids.has(user.id)) { ids.add(user.id); people.push(user); }
      }
    }
    noteKeys(people).catch((err) => console.warn("safety numbers", err));
  };
  watching?.();
  watching = store.subscribe(check);
  check();
}

// restorable: a backup exists and this browser has neither made nor
// restored one (meta "backup_done", set by crypto/backup.js).
export async function checkBackup() {
  const backup = await api.get("/me/key-backup").catch((err) => (err.status === 404 ? null : undefined));
  if (backup === undefined) return; // offline or not there yet: ask again next time
  const done = await keyMeta("backup_done");
  store.dispatch({ type: "e2ee/backup", backup: backup ? { exists: true, kdf: backup.kdf?.name, restorable: !done } : { exists: false } });
}
