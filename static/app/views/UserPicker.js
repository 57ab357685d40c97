// Search the user directory (GET /users?q=) and pick people.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { api } from "../net/api.js";
import { Avatar } from "./Avatar.js";

export function UserPicker({ meId, exclude = [], onPick, label = "Find people", action = "Add" }) {
  const [q, setQ] = useState("");
  const [found, setFound] = useState([]);
  useEffect(() => {
    const timer = setTimeout(() => api.get("/users", { q, limit: 20 }).then((r) => setFound(r.items)).catch(() => {}), 150);
    return () => clearTimeout(timer);
  }, [q]);
  const shown = found.filter((u) => u.id !== meId && !exclude.includes(u.id));
  return html`<div class="picker-box">
    <input type="search" aria-label=${label} placeholder="Search by name or username" value=${q}
      onInput=${(e) => setQ(e.currentTarget.value)} />
    <ul class="people">
      ${shown.length === 0 && html`<li class="muted">No one found${q ? ` for “${q}”` : ""}.</li>`}
      ${shown.map((u) => html`<li class="person">
        <${Avatar} user=${u} size="sm" />
        <span class="person-name"><strong>${u.display_name}</strong> <span class="muted">@${u.username}</span></span>
        <button type="button" class="button" onClick=${() => onPick(u)} aria-label=${`${action} ${u.display_name} (@${u.username})`}>${action}</button>
      </li>`)}
    </ul>
  </div>`;
}
