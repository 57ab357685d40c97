// Files on their way into a message: each uploads at once (XMLHttpRequest,
// for the progress bar); the message is sent with the ids of those done.
// In an encrypted conversation the file is encrypted here first, with a
// thumbnail made here (crypto/attachments.js); `sealed` holds its keys.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { Icon } from "./Icon.js";
import { dispatch } from "../hooks.js";
import { upload } from "../net/api.js";
import { uploadSealed } from "../crypto/attachments.js";

let nextKey = 1;

export function useUploads(conversationId, encrypted = false) {
  const [items, setItems] = useState([]);
  const change = (key, fields) => setItems((list) => list.map((i) => (i.key === key ? { ...i, ...fields } : i)));
  function add(files) {
    for (const file of files) {
      const key = nextKey++;
      const preview = file.type.startsWith("image/") ? URL.createObjectURL(file) : null;
      setItems((list) => [...list, { key, file, preview, progress: 0, attachment: null, error: null }]);
      const progress = (p) => change(key, { progress: p });
      const sent = encrypted
        ? uploadSealed(conversationId, file, progress).then(({ entry, ids }) => ({ id: ids, sealed: entry }))
        : upload(conversationId, file, progress).then((attachment) => {
          dispatch({ type: "attachments/known", items: [attachment] });
          return attachment;
        });
      sent
        .then((attachment) => change(key, { attachment, progress: 1 }))
        .catch((err) => change(key, { error: err.message }));
    }
  }
  const remove = (key) => setItems((list) => list.filter((i) => i.key !== key));
  return {
    items, add, remove,
    ready: items.filter((i) => i.attachment).map((i) => i.attachment),
    ids: items.filter((i) => i.attachment).flatMap((i) => [i.attachment.id].flat()),
    sealed: items.filter((i) => i.attachment?.sealed).map((i) => i.attachment.sealed),
    busy: items.some((i) => !i.attachment && !i.error),
    clear: () => setItems([]),
  };
}

export function UploadList({ uploads }) {
  if (!uploads.items.length) return null;
  return html`<ul class="uploads" aria-label="Attachments to send">
    ${uploads.items.map((u) => html`<li class="upload">
      ${u.preview ? html`<img src=${u.preview} alt="" class="upload-thumb" />` : html`<span class="upload-icon"><${Icon} name="file" /></span>`}
      <span class="upload-name">${u.file.name}</span>
      ${u.error ? html`<span class="error">${u.error}</span>`
        : u.attachment ? html`<span class="muted">Ready</span>`
        : html`<progress max="1" value=${u.progress} aria-label=${"Uploading " + u.file.name}></progress>`}
      <button class="icon-button" aria-label=${"Remove " + u.file.name} onClick=${() => uploads.remove(u.key)}><${Icon} name="close" /></button>
    </li>`)}
  </ul>`;
}
