// The history, windowed: only up to WINDOW rows are in the page at a time,
// however long the conversation. Scrolling near the top moves the window
// back (and loads older pages from IndexedDB or the server); near the
// bottom it moves forward. The row under the reader stays put while rows
// come and go, and at the bottom new messages keep it pinned there.
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { html } from "../html.js";
import { useSelector } from "../hooks.js";
import { selectMessages, selectHasMore } from "../store/messages.js";
import { selectOutbox } from "../store/outbox.js";
import { loadOlder } from "../net/sync.js";
import { dayKey, dayLabel } from "../text/time.js";
import { MessageRow } from "./MessageRow.js";

export const WINDOW = 80;
const STEP = 30;
const EDGE = 300; // px from an end that moves the window

const keyOf = (row) => row.id ?? row.client_id;
const sameSender = (a, b) => a && b && a.sender_id === b.sender_id && !a.deleted_at
  && new Date(b.created_at) - new Date(a.created_at) < 5 * 60 * 1000 && dayKey(a.created_at) === dayKey(b.created_at);

export function MessageList({ conversation, me }) {
  const id = conversation.id;
  const messages = useSelector((s) => selectMessages(s, id));
  const outbox = useSelector(selectOutbox);
  const hasMore = useSelector((s) => selectHasMore(s, id));
  const [endKey, setEndKey] = useState(null); // last row shown; null: the newest
  const box = useRef(null);
  const anchor = useRef(null);
  const pinned = useRef(true);
  const loading = useRef(false);

  const pending = outbox.filter((i) => i.conversation_id === id).map((i) => ({ ...i, sender_id: me.id, pending: true }));
  const rows = [...messages, ...pending];
  const found = endKey ? rows.findIndex((r) => keyOf(r) === endKey) : -1;
  const end = found >= 0 ? found + 1 : rows.length;
  const start = Math.max(0, end - WINDOW);
  const shown = rows.slice(start, end);

  function holdAnchor() {
    const b = box.current;
    const el = [...b.querySelectorAll("[data-key]")].find((e) => e.offsetTop + e.offsetHeight > b.scrollTop);
    anchor.current = el && { key: el.dataset.key, top: el.offsetTop - b.scrollTop };
  }

  useLayoutEffect(() => {
    const b = box.current;
    if (anchor.current) {
      const el = b.querySelector(`[data-key="${anchor.current.key}"]`);
      if (el) b.scrollTop = el.offsetTop - anchor.current.top;
      anchor.current = null;
    } else if (pinned.current && endKey === null) {
      b.scrollTop = b.scrollHeight;
    }
    // Still at the top after older rows arrived (or too little to scroll):
    // no scroll event comes at scrollTop 0, so move on from here.
    if (b.scrollTop < EDGE && (start > 0 || hasMore)) moveUp();
  });

  function moveUp() {
    if (start > 0) {
      holdAnchor();
      setEndKey(keyOf(rows[Math.max(WINDOW, end - STEP) - 1]));
    } else if (hasMore && !loading.current) {
      loading.current = true;
      loadOlder(id).catch(() => {}).finally(() => { loading.current = false; });
    }
  }

  function onScroll() {
    const b = box.current;
    pinned.current = b.scrollHeight - b.scrollTop - b.clientHeight < 40;
    if (b.scrollTop < EDGE) moveUp();
    else if (end < rows.length && b.scrollHeight - b.scrollTop - b.clientHeight < EDGE) {
      holdAnchor();
      const next = end + STEP;
      setEndKey(next >= rows.length ? null : keyOf(rows[next - 1]));
    }
  }

  // Older rows arriving while the reader is at the top: keep the view still.
  const oldest = rows[0]?.seq;
  const lastOldest = useRef(oldest);
  if (oldest !== lastOldest.current && box.current && !anchor.current && !pinned.current) holdAnchor();
  lastOldest.current = oldest;

  const readers = (seq) => (conversation.members ?? [])
    .filter((m) => m.user_id !== me.id && m.last_read_seq >= seq).map((m) => m.user);
  const lastMine = [...messages].reverse().find((m) => m.sender_id === me.id);

  return html`<div class="messages" ref=${box} onScroll=${onScroll} tabindex="0" role="log"
      aria-label="Messages" aria-live="polite">
    ${start === 0 && !hasMore && html`<p class="history-start">This is the beginning of the conversation.</p>`}
    ${start === 0 && hasMore && html`<p class="history-start">Loading older messages…</p>`}
    ${rows.length === 0 && html`<div class="empty small"><p>No messages yet. Say hello!</p></div>`}
    ${shown.map((m, i) => {
      const prev = i > 0 ? shown[i - 1] : rows[start - 1];
      const newDay = !prev || dayKey(prev.created_at) !== dayKey(m.created_at);
      return html`<${MessageRow} key=${keyOf(m)} message=${m} me=${me} conversation=${conversation}
        day=${newDay ? dayLabel(m.created_at) : null} grouped=${!newDay && sameSender(prev, m)}
        seenBy=${lastMine && m.id === lastMine.id ? readers(m.seq) : null} />`;
    })}
  </div>`;
}
