"""The web UI's crypto (tweetnacl, WebCrypto, hash-wasm in its worker)
against the known-answer vectors made from docs/e2ee.md with PyNaCl
(tests/client/e2ee_vectors.json): the same bytes on both sides."""

from __future__ import annotations

import json
from pathlib import Path

VECTORS = json.loads((Path(__file__).resolve().parents[1] / "client" / "e2ee_vectors.json").read_text())

CHECK = """async (v) => {
  const { nacl, b64, unb64, utf8, hex } = await import("/static/app/crypto/nacl.js");
  const { expand, publicEntry } = await import("/static/app/crypto/device.js");
  const { open, Undecryptable } = await import("/static/app/crypto/envelope.js");
  const { encryptBlob, decryptBytes } = await import("/static/app/crypto/files.js");
  const { safetyNumber, fingerprint } = await import("/static/app/crypto/trust.js");
  const { openBackup } = await import("/static/app/crypto/backup.js");
  const out = {};
  const device = (name) => expand({ device_id: v.devices[name].device_id, x25519_secret: unb64(v.devices[name].x25519_secret),
    ed25519_seed: unb64(v.devices[name].ed25519_seed), own: true });
  out.published = Object.fromEntries(Object.keys(v.devices).map((n) => [n, publicEntry(device(n))]));
  const alice = { id: v.users.alice, keys: [v.devices.alice_1.published, v.devices.alice_2.published] };
  const bob = { id: v.users.bob, keys: [v.devices.bob_1.published] };
  const msg = (envelope) => ({ conversation_id: v.message.conversation_id, sender_id: v.message.sender_id, envelope });
  const ring = new Map([["b1", device("bob_1")]]);
  const read = (envelope) => {
    try { return open(v.message.conversation_id, msg(envelope), alice, v.users.bob, ring).body; }
    catch (err) { return err instanceof Undecryptable ? "refused: " + err.message : "crashed: " + err; }
  };
  out.opened = read(v.message.envelope);
  out.tampered = Object.fromEntries(Object.entries(v.message.tampered).filter(([k]) => k !== "note")
    .map(([k, t]) => [k, read(t.envelope)]));
  const plain = Uint8Array.from({ length: v.attachment.plaintext.length }, (_, i) => i % 251);
  const sealed = await encryptBlob(new Blob([plain]), unb64(v.attachment.key), unb64(v.attachment.nonce));
  const bytes = new Uint8Array(await sealed.blob.arrayBuffer());
  out.attachment = { length: bytes.length, sha256: hex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))),
    plain_sha256: sealed.sha256 };
  const back = await decryptBytes(bytes, { key: v.attachment.key, nonce: v.attachment.nonce, sha256: sealed.sha256 });
  out.attachment.round_trip = (await new Blob(back).arrayBuffer()).byteLength;
  const cut = bytes.subarray(0, 65536 + 16);
  out.attachment.cut = await decryptBytes(cut, { key: v.attachment.key, nonce: v.attachment.nonce }).then(() => "opened", (e) => e.message);
  const empty = await encryptBlob(new Blob([]), unb64(v.attachment_empty.key), unb64(v.attachment_empty.nonce));
  out.empty = b64(new Uint8Array(await empty.blob.arrayBuffer()));
  out.safety = safetyNumber(alice, bob).join(" ");
  out.fingerprints = [hex(fingerprint(alice)), hex(fingerprint(bob))];
  out.backups = {};
  for (const name of ["pbkdf2_sha256", "argon2id"]) {
    const devices = await openBackup(v.backup[name].backup, v.backup.passphrase);
    out.backups[name] = devices.map((d) => d.device_id);
  }
  out.wrong = await openBackup(v.backup.pbkdf2_sha256.backup, "wrong").then(() => "opened", (e) => e.message);
  return out;
}"""


async def test_web_crypto_matches_the_python_vectors(browser, chatd_server):
    context = await browser.new_context(base_url=chatd_server.url)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto("/")
    out = await page.evaluate(CHECK, VECTORS)
    await context.close()

    for name, d in VECTORS["devices"].items():
        assert out["published"][name] == d["published"], name
    assert out["opened"] == json.loads(VECTORS["message"]["payload_utf8"])["body"]
    assert out["tampered"] == {
        "flipped_ciphertext_bit": "refused: the signature does not match: the message was changed or forged",
        "sender_device_of_bob": "refused: the sending device does not belong to the sender",
        "no_sig": "refused: the signature does not match: the message was changed or forged",
    } | {k: out["tampered"][k] for k in out["tampered"] if k not in ("flipped_ciphertext_bit", "sender_device_of_bob", "no_sig")}
    assert all(r.startswith("refused: ") for r in out["tampered"].values()), out["tampered"]
    att = VECTORS["attachment"]
    assert out["attachment"] == {"length": att["sealed_length"], "sha256": att["sealed_sha256"],
                                 "plain_sha256": att["sha256_plaintext"], "round_trip": att["plaintext"]["length"],
                                 "cut": "part 1 of 1 failed its integrity check (changed, missing or cut short)"}
    assert out["empty"] == VECTORS["attachment_empty"]["last_chunk"]
    assert out["safety"] == VECTORS["safety"]["number"]
    assert out["fingerprints"] == [VECTORS["safety"]["alice_fingerprint"], VECTORS["safety"]["bob_fingerprint"]]
    expected = [d["device_id"] for d in json.loads(VECTORS["backup"]["plaintext_utf8"])["devices"]]
    assert out["backups"] == {"pbkdf2_sha256": expected, "argon2id": expected}
    assert out["wrong"] == "That passphrase does not open the backup."
    assert errors == []
