// Attachments of a sent message: image previews (a lightbox on click),
// audio and video players, a file card for anything else.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { size } from "../text/size.js";
import { Icon } from "./Icon.js";
import { useSelector, dispatch } from "../hooks.js";
import { api } from "../net/api.js";
import { Lightbox } from "./Lightbox.js";

const asked = new Set();

// Metadata of attachments this browser did not upload itself.
function lookUp(conversationId, ids) {
  const missing = ids.filter((id) => !asked.has(id));
  if (!missing.length) return;
  missing.forEach((id) => asked.add(id));
  api.get(`/conversations/${conversationId}/attachments`, { ids: missing.join(",") })
    .then((r) => dispatch({ type: "attachments/known", items: r.items ?? [] }))
    .catch(() => {});
}

function FileCard({ id, meta }) {
  return html`<a class="file-card" href=${`/api/v1/attachments/${id}`} download=${meta?.filename ?? ""}>
    <span class="file-icon"><${Icon} name="file" /></span>
    <span><strong>${meta?.filename ?? "Attachment"}</strong>${meta && html`<span class="muted"> · ${size(meta.size)}</span>`}</span>
  </a>`;
}

function One({ id, meta, onOpen }) {
  const [broken, setBroken] = useState(false);
  const src = `/api/v1/attachments/${id}`;
  // Until its details arrive (or offline) it is a file card: guessing "image"
  // would ask every video and PDF for a thumbnail it does not have.
  if (!meta) return html`<${FileCard} id=${id} meta=${meta} />`;
  const type = meta.content_type;
  if (type.startsWith("audio/")) return html`<audio controls preload="metadata" src=${src} aria-label=${meta.filename}></audio>`;
  if (type.startsWith("video/")) return html`<video controls preload="metadata" src=${src} aria-label=${meta.filename}></video>`;
  if (!type.startsWith("image/") || broken) return html`<${FileCard} id=${id} meta=${meta} />`;
  const thumb = meta.thumbnail ? `${src}/thumbnail` : src;
  return html`<button class="image-preview" onClick=${() => onOpen(id)} aria-label=${"Open image " + meta.filename}>
    <img src=${thumb} alt=${meta.filename} loading="lazy" onError=${() => setBroken(true)} /></button>`;
}

export function Attachments({ ids, conversationId }) {
  const known = useSelector((s) => s.messages.attachments);
  const [open, setOpen] = useState(null);
  useEffect(() => lookUp(conversationId, ids.filter((id) => !known[id])), [ids.join()]);
  return html`<div class="attachments">
    ${ids.map((id) => html`<${One} key=${id} id=${id} meta=${known[id]} onOpen=${setOpen} />`)}
    ${open && html`<${Lightbox} src=${`/api/v1/attachments/${open}`} name=${known[open]?.filename ?? "Image"} onClose=${() => setOpen(null)} />`}
  </div>`;
}
