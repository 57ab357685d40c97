// Says when the page is offline or reconnecting, and shows passing notices.
import { html } from "../html.js";
import { useSelector, dispatch } from "../hooks.js";
import { RestorePrompt } from "./RestorePrompt.js";
import { SecurityNotice } from "./SecurityNotice.js";
import { onLink } from "../router.js";

// This browser's device, when it is none (session.device).
const DEVICE = {
  too_many: "Your account has too many devices to add this browser: remove one you no longer use.",
  removed: "This browser's device was removed from your account: it cannot read new encrypted messages.",
};

export function Banner() {
  const online = useSelector((s) => s.ui.online);
  const connection = useSelector((s) => s.ui.connection);
  const notice = useSelector((s) => s.ui.notice);
  const device = useSelector((s) => s.session.device);
  const onSettings = useSelector((s) => s.ui.path === "/settings");
  const pending = useSelector((s) => s.outbox.items.filter((i) => i.state === "pending").length);
  let text = null;
  if (!online) text = `You are offline. ${pending ? `${pending} message${pending > 1 ? "s" : ""} will be sent when you are back.` : "You can read what is here; new messages are sent when you are back."}`;
  else if (connection !== "open") text = "Reconnecting…";
  return html`<div class="banners">
    <${RestorePrompt} />
    <${SecurityNotice} />
    ${!onSettings && DEVICE[device] && html`<div class="banner banner-notice" role="alert">
      <span>${DEVICE[device]}</span><a class="link" href="/settings" onClick=${onLink}>Devices</a></div>`}
    ${text && html`<div class="banner ${online ? "banner-info" : "banner-offline"}" role="status">${text}</div>`}
    ${notice && html`<div class="banner banner-notice" role="alert">
      <span>${notice}</span>
      <button class="link" onClick=${() => dispatch({ type: "ui/notice", text: null })}>Dismiss</button>
    </div>`}
  </div>`;
}
