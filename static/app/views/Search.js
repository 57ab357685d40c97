// Message search across my conversations (GET /search); a hit opens its
// conversation. The server cannot search encrypted conversations: those are
// searched here, over what this browser decrypted (crypto/search.js).
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { Icon } from "./Icon.js";
import { useSelector } from "../hooks.js";
import { api } from "../net/api.js";
import { onLink } from "../router.js";
import { conversationTitle } from "../store/conversations.js";
import { listTime } from "../text/time.js";
import { searchDecrypted } from "../crypto/search.js";

export function Search() {
  const me = useSelector((s) => s.session.me);
  const conversations = useSelector((s) => s.conversations.byId);
  const [q, setQ] = useState("");
  const [hits, setHits] = useState(null);
  const [error, setError] = useState(null);
  const search = (e) => {
    e.preventDefault();
    setError(null);
    const local = searchDecrypted(q, Object.values(conversations).filter((c) => c.e2ee).map((c) => c.id));
    const remote = api.get("/search", { q, limit: 50 }).then((r) => r.items, (err) => {
      if (err.code !== "feature_disabled") setError(err.message);
      return [];
    });
    Promise.all([local, remote]).then(([mine, theirs]) =>
      setHits([...mine, ...theirs].sort((a, b) => b.created_at.localeCompare(a.created_at)).slice(0, 100)));
  };
  return html`<section class="page">
    <header class="page-head"><a class="icon-button back" href="/" onClick=${onLink} aria-label="Back"><${Icon} name="back" /></a><h2>Search messages</h2></header>
    <form class="search-form" onSubmit=${search} role="search">
      <input type="search" aria-label="Search messages" placeholder="Words to find" value=${q} required
        onInput=${(e) => setQ(e.currentTarget.value)} />
      <button class="button primary" type="submit">Search</button>
    </form>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${hits?.length === 0 && html`<p class="muted">Nothing found.</p>`}
    <ul class="hits">${(hits ?? []).map((m) => html`<li>
      <a href=${"/c/" + m.conversation_id} onClick=${onLink}>
        <span class="hit-where">${conversationTitle(conversations[m.conversation_id], me.id) || "Conversation"} · ${listTime(m.created_at)}</span>
        <span class="hit-text">${m.plain && html`<span class="lock" role="img" aria-label="Encrypted, found on this device"
          title="Encrypted: found on this device"><${Icon} name="lock" /></span>`}${m.plain?.body ?? m.body}</span></a></li>`)}</ul>
    ${hits && Object.values(conversations).some((c) => c.e2ee) && html`<p class="muted">Encrypted conversations are searched
      on this device, over the messages it has loaded and decrypted.</p>`}
  </section>`;
}
