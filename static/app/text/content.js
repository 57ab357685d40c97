// What a message says, whether the server carried it as text or as an
// envelope this browser opened (crypto/inbox.js).
export const bodyOf = (m) => (m?.kind === "encrypted" ? m.plain?.body ?? m.body ?? "" : m?.body ?? "");
export const isLocked = (m) => m?.kind === "encrypted" && !m.plain && !m.pending;
