// Start a direct conversation with one person, or a group with a title.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { Icon } from "./Icon.js";
import { useSelector } from "../hooks.js";
import { api } from "../net/api.js";
import { navigate, onLink } from "../router.js";
import { UserPicker } from "./UserPicker.js";
import { upsertConversation } from "../crypto/inbox.js";
import { Avatar } from "./Avatar.js";

async function opened(conversation) {
  await upsertConversation(conversation);
  navigate("/c/" + conversation.id);
}

export function NewConversation() {
  const me = useSelector((s) => s.session.me);
  const [kind, setKind] = useState("direct");
  const [title, setTitle] = useState("");
  const [members, setMembers] = useState([]);
  const [error, setError] = useState(null);
  // A direct conversation sends no `e2ee`: the server's e2ee_default flag
  // decides. A group may choose; the box starts as that flag says.
  const e2eeOn = useSelector((s) => !!s.session.features?.e2ee);
  const byDefault = useSelector((s) => !!(s.session.features?.e2ee && s.session.features?.e2ee_default));
  const [encrypted, setEncrypted] = useState(byDefault);
  const fail = (err) => setError(err.message);

  const direct = (user) => api.post("/conversations", { kind: "direct", user_id: user.id }).then(opened, fail);
  const group = (e) => {
    e.preventDefault();
    api.post("/conversations", { kind: "group", title, member_ids: members.map((u) => u.id), e2ee: e2eeOn && encrypted }).then(opened, fail);
  };
  return html`<section class="page">
    <header class="page-head"><a class="icon-button back" href="/" onClick=${onLink} aria-label="Back"><${Icon} name="back" /></a><h2>New conversation</h2></header>
    <div class="tabs" role="tablist">
      <button role="tab" aria-selected=${kind === "direct"} onClick=${() => setKind("direct")}>Direct message</button>
      <button role="tab" aria-selected=${kind === "group"} onClick=${() => setKind("group")}>Group</button>
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${kind === "direct"
      ? html`<p class="muted">Pick the person to talk to.${byDefault ? " New direct conversations are end-to-end encrypted." : ""}</p><${UserPicker} meId=${me.id} onPick=${direct} action="Message" />`
      : html`<form class="stack" onSubmit=${group}>
          <label>Group name<input required maxlength="200" value=${title} onInput=${(e) => setTitle(e.currentTarget.value)} /></label>
          <div class="chips">${members.map((u) => html`<span class="chip"><${Avatar} user=${u} size="xs" /> ${u.display_name}
            <button type="button" class="link" aria-label=${"Remove " + u.display_name}
              onClick=${() => setMembers(members.filter((m) => m.id !== u.id))}>✕</button></span>`)}</div>
          <${UserPicker} meId=${me.id} exclude=${members.map((u) => u.id)} onPick=${(u) => setMembers([...members, u])} />
          ${e2eeOn && html`<label class="check"><input type="checkbox" checked=${encrypted} onChange=${(e) => setEncrypted(e.currentTarget.checked)} />
            End-to-end encrypted (only members' devices can read it; people added later cannot read what came before)</label>`}
          <button class="button primary" type="submit">Create group</button>
        </form>`}
  </section>`;
}
