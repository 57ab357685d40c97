// Signing in and out. The server keeps the session in an HttpOnly cookie;
// this page only learns who it belongs to (GET /me).
import { store } from "./store/index.js";
import { api, NetworkError } from "./net/api.js";
import { goOnline, goOffline } from "./net/sync.js";
import { wipe } from "./db.js";
import { settled } from "./store/persist.js";
import { navigate } from "./router.js";
import { startE2ee } from "./crypto/start.js";
import { forgetKeys, eraseKeys } from "./crypto/device.js";

const e2ee = (options) => startE2ee(options).catch((err) => console.warn("end-to-end encryption setup failed", err));

export async function resumeSession(cursor, asked = api.get("/me")) {
  try {
    const me = await asked;
    store.dispatch({ type: "session/in", user: me });
    e2ee();
    goOnline(sessionLost, cursor);
  } catch (err) {
    if (err instanceof NetworkError || !(err.status === 401 || err.status === 403)) {
      // Offline, or the server is restarting: keep showing what we have; the
      // socket retries until it is back. Only 401/403 mean "signed out".
      if (store.getState().session.me) goOnline(sessionLost, cursor);
      else store.dispatch({ type: "session/out" });
      return;
    }
    // Signed out: forget what this browser kept of the last account, if anything.
    if (store.getState().session.me || store.getState().outbox.items.length) await forget();
    else store.dispatch({ type: "session/out" });
  }
}

// With two-step sign-in on, this throws ApiError code "second_factor_required"
// (its problem carries the challenge): then signInWithCode.
export async function signIn(username, password) {
  const { user } = await api.post("/auth/login", { username, password });
  await signedIn(user);
}

export async function signInWithCode(challenge, code) {
  const { user } = await api.post("/auth/login/second-factor", { challenge, code });
  await signedIn(user);
}

// The key step: `credential` answers the `webauthn` options of the same problem (webauthn.js keyAssertion).
export async function signInWithKey(challenge, credential) {
  const { user } = await api.post("/auth/login/security-key", { challenge, credential });
  await signedIn(user);
}

async function signedIn(user) {
  const kept = store.getState().session.me;
  if (kept && kept.id !== user.id) await forget();
  store.dispatch({ type: "session/in", user });
  e2ee({ signedIn: true });
  goOnline(sessionLost, null);
}

export async function signUp({ username, password, display_name, invite }) {
  const body = { username, password };
  if (display_name) body.display_name = display_name;
  if (invite) body.invite = invite;
  await api.post("/auth/register", body);
  // Register answers a token but sets no cookie: sign in to get the cookie session.
  await signIn(username, password);
}

// This browser's device keys stay (crypto/keydb.js): signing in again as
// the same account reuses the device instead of adding one.
export async function signOut() {
  await api.post("/auth/logout").catch(() => {});
  await forget();
}

// For a browser that is not yours: the device leaves the account (DELETE
// /me/keys), then this browser signs out and erases its keys. When the
// server cannot be told, nothing is erased: keys of a device still listed
// would be lost while others keep sealing messages for it.
export async function signOutAndRemoveDevice(deviceId) {
  const me = store.getState().session.me;
  await api.del(`/me/keys/${deviceId}`).catch((err) => { if (err.status !== 404) throw err; });
  await signOut(); // first: nothing may load (and so remake) the keys after this
  await eraseKeys(me.id);
}

// Drop everything this browser kept of the account but its device keys.
async function forget() {
  goOffline();
  await settled();
  await wipe().catch(() => {});
  forgetKeys();
  store.dispatch({ type: "session/out" });
  navigate("/", { replace: true });
}

function sessionLost() {
  forget();
}
