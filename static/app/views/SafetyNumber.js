// A contact's safety number (12 groups of 5 digits, the same on both
// sides): compare it in person or on a call, then mark the contact verified.
import { html } from "../html.js";
import { Icon } from "./Icon.js";
import { useSelector } from "../hooks.js";
import { onLink } from "../router.js";
import { displayName } from "../store/users.js";
import { safetyNumber, markVerified, fingerprint } from "../crypto/trust.js";
import { hex } from "../crypto/nacl.js";

function findUser(s, id) {
  for (const c of Object.values(s.conversations.byId)) {
    const m = c.members?.find((x) => x.user_id === id);
    if (m?.user) return m.user;
  }
  return s.users.byId[id];
}

export function SafetyNumber({ id }) {
  const me = useSelector((s) => s.session.me);
  const user = useSelector((s) => findUser(s, id));
  const seen = useSelector((s) => s.trust.byUser[id]);
  const back = html`<a class="icon-button back" href="/" onClick=${onLink} aria-label="Back"><${Icon} name="back" /></a>`;
  if (!user) return html`<section class="page"><header class="page-head">${back}<h2>Safety number</h2></header>
    <p class="muted">This person is not in any of your conversations.</p></section>`;
  const name = displayName(user);
  if (!user.keys?.length || !me.keys?.length) return html`<section class="page"><header class="page-head">${back}<h2>Safety number</h2></header>
    <p class="muted">${name} has no encryption keys yet: they have not used chatd with encryption on.</p></section>`;
  const digits = safetyNumber(me, user);
  const verified = seen?.verified && seen.fingerprint === hex(fingerprint(user));
  return html`<section class="page safety">
    <header class="page-head">${back}<h2>Safety number with ${name}</h2></header>
    <div class="card stack">
      ${seen?.changed && html`<p class="warning" role="alert"><${Icon} name="shield" /> <span>${name}'s keys changed since you last saw them
        (a new device, a new browser, or someone in between). Compare the number again before you trust it.</span></p>`}
      <p>Compare these numbers with ${name}, in person or on a call you trust. If they match on both screens,
        nobody is reading along: your messages are encrypted for ${name}'s devices and no one else's.</p>
      <div class="safety-number" aria-label="Safety number" role="group">
        ${digits.map((g) => html`<span class="digits">${g}</span>`)}
      </div>
      <p class="muted">${user.keys.length} device${user.keys.length === 1 ? "" : "s"} of ${name} · ${me.keys.length} of yours</p>
      ${verified
        ? html`<p class="verified" role="status"><${Icon} name="shield" /> You verified ${name}.</p>`
        : html`<div><button class="button primary" onClick=${() => markVerified(user)}>Mark as verified</button></div>`}
    </div>
  </section>`;
}
