// Step-up: a high-value request answered 403 reauthentication_required asks
// the user to prove it is them (ReauthPrompt.js), then is sent once more.
// Until a prompt is mounted (signed out), the error goes to the caller.
let ask = null;

export function mountReauthPrompt(fn) {
  ask = fn;
  return () => { if (ask === fn) ask = null; };
}

// Resolves once /auth/reauth succeeded; rejects when the user cancels.
export function askReauth() {
  return ask ? new Promise((resolve, reject) => ask({ resolve, reject })) : Promise.reject(new Error("not signed in"));
}
