// A round avatar: the person's picture when they set one (or `src`, a
// group's), else initials on a colour derived from the id. Optional presence dot.
import { html } from "../html.js";

const COLOURS = ["#2f5fd0", "#0f7b6c", "#b2431f", "#7a3fb8", "#a1266a", "#36690f", "#8a5a00", "#0b6f94"];

function colour(id = "") {
  let n = 0;
  for (const ch of id) n = (n * 31 + ch.charCodeAt(0)) >>> 0;
  return COLOURS[n % COLOURS.length];
}

export function initials(name = "?") {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return ((words[0]?.[0] ?? "?") + (words.length > 1 ? words.at(-1)[0] : "")).toUpperCase();
}

export function Avatar({ user, name, id, src, size = "md", presence }) {
  const label = name ?? user?.display_name ?? user?.username ?? "?";
  const key = id ?? user?.id ?? label;
  // ?v= changes with the avatar, so a new picture is not hidden by the browser cache.
  const picture = src ?? (user?.avatar ? `/api/v1/users/${user.id}/avatar?v=${encodeURIComponent(user.avatar)}` : null);
  return html`<span class="avatar avatar-${size} c${COLOURS.indexOf(colour(key))}" aria-hidden="true">
    ${picture ? html`<img src=${picture} alt="" />` : initials(label)}
    ${presence && html`<span class="presence presence-${presence}"></span>`}
  </span>`;
}
