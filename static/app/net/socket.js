// The live connection: /api/v1/ws with the session cookie. Pings on the
// server's heartbeat, reconnects with back-off and resumes with `since`,
// and at once when the network or the tab comes back. Frames with an `id`
// get their ack or error back as a promise.
const BACKOFF = [500, 1000, 2000, 5000, 10000, 15000];
const REQUEST_TIMEOUT = 10000;

export class SocketClosed extends Error {}

export function createSocket({ cursor, onEvent, onFrame, onReady, onState, onCursorLost, onAuthLost }) {
  let ws = null;
  let attempt = 0;
  let stopped = false;
  let pingTimer = null;
  let retryTimer = null;
  let nextId = 1;
  const waiting = new Map(); // frame id -> {resolve, reject, timer}

  function failAll(err) {
    for (const { reject, timer } of waiting.values()) { clearTimeout(timer); reject(err); }
    waiting.clear();
  }

  function connect() {
    clearTimeout(retryTimer);
    if (stopped || (ws && ws.readyState <= WebSocket.OPEN)) return;
    onState("connecting");
    const since = cursor();
    const url = new URL("/api/v1/ws", location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    if (since) url.searchParams.set("since", since);
    const socket = new WebSocket(url);
    ws = socket;
    socket.onmessage = (e) => handle(JSON.parse(e.data));
    socket.onclose = (e) => closed(socket, e.code);
  }

  function handle(frame) {
    if (frame.seq !== undefined) return onEvent(frame);
    switch (frame.type) {
      case "hello":
        clearInterval(pingTimer);
        pingTimer = setInterval(() => raw({ type: "ping" }), Math.max(1, frame.heartbeat) * 1000);
        return;
      case "ready":
        attempt = 0;
        onState("open");
        return onReady(frame.cursor);
      case "ack":
      case "error": {
        const pending = waiting.get(frame.id);
        if (pending) {
          waiting.delete(frame.id);
          clearTimeout(pending.timer);
          frame.type === "ack" ? pending.resolve(frame) : pending.reject(frame);
          return;
        }
        return onFrame(frame);
      }
      default:
        return onFrame(frame);
    }
  }

  function closed(socket, code) {
    if (ws !== socket) return;
    ws = null;
    clearInterval(pingTimer);
    failAll(new SocketClosed("socket closed"));
    if (stopped) return;
    // Signed out, expired or disabled: no point in coming back.
    if (code === 4401 || code === 4403) { onState("closed"); return onAuthLost(); }
    // 4410: the log cannot replay from our cursor; 4400: it is malformed. Start from the head.
    if (code === 4410 || code === 4400) onCursorLost();
    onState(navigator.onLine ? "connecting" : "offline");
    const delay = BACKOFF[Math.min(attempt++, BACKOFF.length - 1)];
    retryTimer = setTimeout(connect, delay);
  }

  function raw(frame) {
    if (ws?.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  // Sends a frame that gets an ack (or error) back; rejects if the socket is not open.
  function request(frame) {
    const id = frame.id ?? `r${nextId++}`;
    return new Promise((resolve, reject) => {
      if (!raw({ ...frame, id })) return reject(new SocketClosed("socket not open"));
      const timer = setTimeout(() => { waiting.delete(id); reject(new SocketClosed("no answer")); }, REQUEST_TIMEOUT);
      waiting.set(id, { resolve, reject, timer });
    });
  }

  // Back at once after sleep, a network change or a hidden tab shown again.
  const wake = () => { attempt = 0; if (!ws) connect(); };
  const offline = () => ws?.close();
  window.addEventListener("online", wake);
  window.addEventListener("offline", offline);
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && wake());

  return {
    start: connect,
    stop() { stopped = true; ws?.close(); window.removeEventListener("online", wake); window.removeEventListener("offline", offline); },
    isOpen: () => ws?.readyState === WebSocket.OPEN,
    send: raw,
    request,
  };
}
