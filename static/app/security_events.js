// security.activity events this page heard (live or through /sync), handed
// to whoever listens: the notice (views/SecurityNotice.js) and the list in
// Settings (views/SecurityActivity.js). Kept out of the store: nothing else
// needs them, and a page opened later reads the list from the server.
const listeners = new Set();

export function securityEvent(event) {
  for (const listener of listeners) listener(event);
}

export function onSecurityEvent(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const WHAT = {
  password_changed: "Your password was changed",
  sessions_ended: "Your other sign-ins were ended",
  session_ended: "One of your sign-ins was ended",
  token_created: "An API token was created",
  token_revoked: "An API token was revoked",
  device_key_added: "A new encryption device was added to your account",
  device_key_removed: "An encryption device was removed from your account",
  key_backup_set: "Your encryption key backup was saved",
  key_backup_removed: "Your encryption key backup was removed",
  new_sign_in: "Someone signed in to your account from a new device or place",
  role_changed: "Your role was changed",
  account_disabled: "Your account was disabled",
  account_enabled: "Your account was enabled again",
  second_factor_enabled: "Two-step sign-in was turned on",
  second_factor_disabled: "Two-step sign-in was turned off",
  second_factor_code_reused: "A code from your authenticator was sent again after it had been used (refused): someone may know your password",
  recovery_code_used: "A recovery code was used for your account",
  security_key_added: "A security key was added to your account",
  security_key_removed: "A security key was removed from your account",
  security_key_cloned: "A security key answered with a counter that went back (refused): it may have been copied",
};
const when = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

// "Your password was changed from Firefox on Linux (203.0.113.7) at 3 Dec 2026, 14:05."
// ("from": "turned on on Chrome" read as a stutter.)
export function describe(event) {
  const what = WHAT[event.kind] ?? `Security change (${event.kind})`;
  const detail = event.kind === "role_changed" ? ` to ${event.detail}`
    : ["token_created", "security_key_added", "security_key_removed", "security_key_cloned"].includes(event.kind)
      ? ` (“${event.detail}”)` : "";
  const by = { admin: " by an administrator", operator: " by the server's operator" }[event.by] ?? "";
  const where = event.by === "self" && (event.device || event.address)
    ? ` from ${[event.device || "an unknown device", event.address && `(${event.address})`].filter(Boolean).join(" ")}` : "";
  return `${what}${detail}${by}${where} at ${when.format(new Date(event.at))}.`;
}
