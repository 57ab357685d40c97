// Security keys and passkeys in the browser: the server sends WebAuthn
// options with base64url fields (challenge, ids), navigator.credentials wants
// ArrayBuffers and answers with them; these few helpers convert both ways.
// Plain navigator.credentials, no library (PublicKeyCredential.parse*JSON
// is not in every browser yet).

export const keysSupported = () => typeof window.PublicKeyCredential === "function" && !!navigator.credentials;

export function fromB64url(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function toB64url(buffer) {
  const bytes = new Uint8Array(buffer);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const descriptors = (list) => (list ?? []).map((d) => ({ ...d, id: fromB64url(d.id) }));

// A new key: navigator.credentials.create with POST .../security-keys/options' answer.
export async function createKey(options) {
  const publicKey = { ...options, challenge: fromB64url(options.challenge),
    user: { ...options.user, id: fromB64url(options.user.id) },
    excludeCredentials: descriptors(options.excludeCredentials) };
  const cred = await navigator.credentials.create({ publicKey });
  return { id: cred.id, rawId: toB64url(cred.rawId), type: cred.type,
    response: { clientDataJSON: toB64url(cred.response.clientDataJSON),
      attestationObject: toB64url(cred.response.attestationObject),
      transports: cred.response.getTransports?.() ?? [] } };
}

// An assertion: navigator.credentials.get with the options of a sign-in or a step-up.
export async function keyAssertion(options) {
  const publicKey = { ...options, challenge: fromB64url(options.challenge),
    allowCredentials: descriptors(options.allowCredentials) };
  const cred = await navigator.credentials.get({ publicKey });
  const r = cred.response;
  return { id: cred.id, rawId: toB64url(cred.rawId), type: cred.type,
    response: { clientDataJSON: toB64url(r.clientDataJSON), authenticatorData: toB64url(r.authenticatorData),
      signature: toB64url(r.signature), userHandle: r.userHandle ? toB64url(r.userHandle) : null } };
}

// What to tell the user when the browser's dialog ends without a key.
export function keyError(err) {
  if (err?.name === "NotAllowedError") return "The security key request was cancelled or timed out.";
  if (err?.name === "InvalidStateError") return "This security key is already registered.";
  if (err?.name === "SecurityError") return "Security keys need this page to be opened at the server's public address.";
  return err?.message ?? String(err);
}
