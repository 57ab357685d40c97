// Attachments of an encrypted message: their keys came inside the
// envelope. Images show their client-made thumbnail inline (decrypted here)
// and open full size in the lightbox; other files decrypt on download.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { size } from "../text/size.js";
import { Icon } from "./Icon.js";
import { Lightbox } from "./Lightbox.js";
import { decryptedUrl } from "../crypto/attachments.js";

function useDecrypted(part, type) {
  const [state, setState] = useState({ url: null, error: null });
  useEffect(() => {
    if (!part) return;
    let live = true;
    decryptedUrl(part, type).then((url) => live && setState({ url, error: null }),
      (err) => live && setState({ url: null, error: err.message }));
    return () => { live = false; };
  }, [part?.id]);
  return state;
}

function Broken({ item, error }) {
  return html`<div class="undecryptable" role="note"><${Icon} name="shield" />
    <span><strong>${item.name} could not be decrypted.</strong> ${error[0].toUpperCase() + error.slice(1)}.</span></div>`;
}

function FileCard({ item }) {
  const [error, setError] = useState(null);
  const download = async () => {
    try {
      const link = document.createElement("a");
      link.href = await decryptedUrl(item);
      link.download = item.name;
      link.click();
    } catch (err) {
      setError(err.message);
    }
  };
  if (error) return html`<${Broken} item=${item} error=${error} />`;
  return html`<button class="file-card" onClick=${download} aria-label=${"Download " + item.name}>
    <span class="file-icon"><${Icon} name="file" /></span>
    <span><strong>${item.name}</strong><span class="muted"> · ${size(item.size ?? 0)} · encrypted</span></span></button>`;
}

function Image({ item, onOpen }) {
  const { url, error } = useDecrypted(item.thumb ?? item, item.thumb ? item.thumb.type ?? "image/jpeg" : item.type);
  if (error) return html`<${Broken} item=${item} error=${error} />`;
  const style = item.thumb ? { aspectRatio: `${item.thumb.width} / ${item.thumb.height}` } : {};
  return html`<button class="image-preview" onClick=${() => onOpen(item)} aria-label=${"Open image " + item.name}>
    ${url ? html`<img src=${url} alt=${item.name} width=${item.thumb?.width} height=${item.thumb?.height} />`
      : html`<span class="muted" style=${style}>Decrypting…</span>`}</button>`;
}

function Full({ item, onClose }) {
  const { url, error } = useDecrypted(item, item.type);
  if (error) return html`<div class="lightbox" role="dialog" aria-label=${item.name} onClick=${onClose}><${Broken} item=${item} error=${error} /></div>`;
  if (!url) return null;
  return html`<${Lightbox} src=${url} name=${item.name} onClose=${onClose} />`;
}

export function SealedAttachments({ items }) {
  const [open, setOpen] = useState(null);
  return html`<div class="attachments">
    ${items.map((item) => (item.type ?? "").startsWith("image/") && item.id
      ? html`<${Image} key=${item.id} item=${item} onOpen=${setOpen} />`
      : html`<${FileCard} key=${item.id} item=${item} />`)}
    ${open && html`<${Full} item=${open} onClose=${() => setOpen(null)} />`}
  </div>`;
}
