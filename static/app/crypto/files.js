// Attachments in encrypted conversations (docs/e2ee.md): the file is
// encrypted here in plaintext chunks of 64 KiB, chunk i sealed with the
// nonce R + u32_be(i) + u32_be(last), so a missing, reordered or cut chunk
// fails to open. Only ciphertext is uploaded (?encrypted=true).
import { nacl, b64, unb64, hex } from "./nacl.js";

export const CHUNK = 65536;
const SEALED = CHUNK + nacl.secretbox.overheadLength;

function chunkNonce(prefix, index, last) {
  const nonce = new Uint8Array(24);
  nonce.set(prefix, 0);
  const view = new DataView(nonce.buffer);
  view.setUint32(16, index);
  view.setUint32(20, last ? 1 : 0);
  return nonce;
}

// -> {blob (the ciphertext), key, nonce (b64), sha256 (hex of the plaintext)}.
// The file is read a chunk at a time; the sealed chunks become Blob parts.
// (key and prefix are given only by the known-answer test.)
export async function encryptBlob(blob, key = nacl.randomBytes(32), prefix = nacl.randomBytes(16)) {
  const parts = [];
  const count = Math.max(1, Math.ceil(blob.size / CHUNK));
  for (let i = 0; i < count; i++) {
    const plain = new Uint8Array(await blob.slice(i * CHUNK, (i + 1) * CHUNK).arrayBuffer());
    parts.push(nacl.secretbox(plain, chunkNonce(prefix, i, i === count - 1), key));
  }
  // WebCrypto has no streaming digest: the file is read once more, whole.
  const sha256 = hex(new Uint8Array(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer())));
  return { blob: new Blob(parts, { type: "application/octet-stream" }), key: b64(key), nonce: b64(prefix), sha256 };
}

export class BadFile extends Error {}

// The plaintext bytes of an encrypted download, or BadFile.
export async function decryptBytes(bytes, { key, nonce, sha256 }) {
  const k = unb64(key);
  const prefix = unb64(nonce);
  if (k.length !== 32 || prefix.length !== 16) throw new BadFile("the file's key is malformed");
  const count = Math.max(1, Math.ceil(bytes.length / SEALED));
  const parts = [];
  for (let i = 0; i < count; i++) {
    const sealed = bytes.subarray(i * SEALED, (i + 1) * SEALED);
    const plain = nacl.secretbox.open(sealed, chunkNonce(prefix, i, i === count - 1), k);
    if (!plain) throw new BadFile(`part ${i + 1} of ${count} failed its integrity check (changed, missing or cut short)`);
    parts.push(plain);
  }
  if (sha256) {
    const whole = new Uint8Array(await new Blob(parts).arrayBuffer());
    const digest = hex(new Uint8Array(await crypto.subtle.digest("SHA-256", whole)));
    if (digest !== sha256) throw new BadFile("its checksum does not match");
  }
  return parts;
}

// A small JPEG made here (the server never sees the picture), or null.
export async function thumbnailOf(file, edge = 320) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return null; // not an image this browser can decode
  }
  const scale = Math.min(1, edge / Math.max(bitmap.width, bitmap.height));
  const canvas = new OffscreenCanvas(Math.max(1, Math.round(bitmap.width * scale)), Math.max(1, Math.round(bitmap.height * scale)));
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const blob = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.8 });
  const size = { width: bitmap.width, height: bitmap.height, thumbWidth: canvas.width, thumbHeight: canvas.height };
  bitmap.close();
  return { blob, ...size };
}
