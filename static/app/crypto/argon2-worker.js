// Argon2id for reading a key backup made by the Python client. hash-wasm
// compiles WebAssembly, which the page's CSP forbids: this worker is served
// with a policy that allows 'wasm-unsafe-eval' (chatd/api/headers.py), so
// only this script may. Parameters follow libsodium's crypto_pwhash
// (PyNaCl): parallelism 1, a 32-byte key.
/* global hashwasm */
importScripts("/static/vendor/hash-wasm/argon2.umd.min.js");

self.onmessage = async (e) => {
  const { passphrase, salt, ops, memKib } = e.data;
  try {
    const key = await hashwasm.argon2id({ password: passphrase, salt, parallelism: 1, iterations: ops,
      memorySize: memKib, hashLength: 32, outputType: "binary" });
    self.postMessage({ key });
  } catch (err) {
    self.postMessage({ error: String(err?.message ?? err) });
  }
};
