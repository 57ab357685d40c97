// Search in encrypted conversations, here: the server holds only
// ciphertext. Covers what this browser has loaded and decrypted (kept in
// IndexedDB with the message), newest first.
import { messagesOf } from "../db.js";

export async function searchDecrypted(query, conversationIds, limit = 50) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length || !conversationIds.length) return [];
  const kept = await messagesOf(conversationIds);
  return kept
    .filter((m) => !m.deleted_at && m.plain && words.every((w) => m.plain.body.toLowerCase().includes(w)))
    .sort((a, b) => b.created_at.localeCompare(a.created_at))
    .slice(0, limit);
}
