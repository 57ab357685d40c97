// A QR code as SVG squares drawn by preact (no markup strings: the CSP and
// the no-innerHTML rule hold). uqr (npm, vendored) only computes the modules;
// it is loaded when a QR code is first shown.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";

export function QrCode({ text, label }) {
  const [qr, setQr] = useState(null);
  useEffect(() => {
    import("../../vendor/uqr/uqr.mjs").then(({ encode }) => setQr(encode(text, { ecc: "M", border: 4 })));
  }, [text]);
  if (!qr) return html`<div class="qr" aria-busy="true"></div>`;
  const cells = [];
  qr.data.forEach((row, y) => row.forEach((on, x) => on && cells.push(html`<rect x=${x} y=${y} width="1" height="1" />`)));
  return html`<svg class="qr" viewBox=${`0 0 ${qr.size} ${qr.size}`} role="img" aria-label=${label}
    shape-rendering="crispEdges"><rect width=${qr.size} height=${qr.size} fill="#fff" /><g fill="#000">${cells}</g></svg>`;
}
