// Uploading and showing encrypted attachments: encrypt (files.js), upload
// the ciphertext, and later fetch, decrypt and hand the page a blob: URL.
import { sendFile } from "../net/api.js";
import { encryptBlob, decryptBytes, thumbnailOf } from "./files.js";

const upload = (conversationId, blob, onProgress) =>
  sendFile("POST", `/conversations/${conversationId}/attachments?encrypted=true`, new File([blob], "encrypted.bin"), onProgress);

// -> the entry for the payload's `attachments` (keys inside), and the ids
// (file, thumbnail) for the message's `attachments` field.
export async function uploadSealed(conversationId, file, onProgress = () => {}) {
  const sealed = await encryptBlob(file);
  const stored = await upload(conversationId, sealed.blob, (p) => onProgress(p * 0.95));
  const entry = { id: stored.id, key: sealed.key, nonce: sealed.nonce, name: file.name || "file",
    type: file.type || "application/octet-stream", size: file.size, sha256: sealed.sha256 };
  const ids = [stored.id];
  if (entry.type.startsWith("image/")) {
    const thumb = await thumbnailOf(file);
    if (thumb) {
      const t = await encryptBlob(thumb.blob);
      const up = await upload(conversationId, t.blob);
      Object.assign(entry, { width: thumb.width, height: thumb.height });
      entry.thumb = { id: up.id, key: t.key, nonce: t.nonce, sha256: t.sha256, type: "image/jpeg", width: thumb.thumbWidth, height: thumb.thumbHeight };
      ids.push(up.id);
    }
  }
  onProgress(1);
  return { entry, ids };
}

const urls = new Map(); // attachment id -> Promise of a blob: URL

// A blob: URL of the decrypted file (kept for the page's life).
export function decryptedUrl(part, type) {
  if (!urls.has(part.id)) {
    const made = (async () => {
      const answer = await fetch(`/api/v1/attachments/${part.id}`, { credentials: "same-origin" });
      if (!answer.ok) throw new Error(answer.status === 404 ? "the file is gone from the server" : `the server answered ${answer.status}`);
      const parts = await decryptBytes(new Uint8Array(await answer.arrayBuffer()), part);
      return URL.createObjectURL(new Blob(parts, { type: type ?? part.type ?? "application/octet-stream" }));
    })();
    made.catch(() => urls.delete(part.id));
    urls.set(part.id, made);
  }
  return urls.get(part.id);
}
