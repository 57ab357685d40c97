// A full-size image over the page; Escape or a click closes it.
import { useEffect, useRef } from "preact/hooks";
import { html } from "../html.js";

export function Lightbox({ src, name, onClose }) {
  const close = useRef(null);
  useEffect(() => {
    const before = document.activeElement;
    close.current?.focus();
    const onKey = (e) => e.key === "Escape" && onClose();
    document.addEventListener("keydown", onKey);
    return () => { document.removeEventListener("keydown", onKey); before?.focus?.(); };
  }, []);
  return html`<div class="lightbox" role="dialog" aria-modal="true" aria-label=${name} onClick=${onClose}>
    <img src=${src} alt=${name} onClick=${(e) => e.stopPropagation()} />
    <div class="lightbox-bar"><span>${name}</span>
      <a class="button" href=${src} download=${name} onClick=${(e) => e.stopPropagation()}>Download</a>
      <button class="button" ref=${close} onClick=${onClose}>Close</button></div>
  </div>`;
}
