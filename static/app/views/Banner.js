// Says when the page is offline or reconnecting, and shows passing notices.
import { html } from "../html.js";
import { useSelector, dispatch } from "../hooks.js";
import { RestorePrompt } from "./RestorePrompt.js";

export function Banner() {
  const online = useSelector((s) => s.ui.online);
  const connection = useSelector((s) => s.ui.connection);
  const notice = useSelector((s) => s.ui.notice);
  const pending = useSelector((s) => s.outbox.items.filter((i) => i.state === "pending").length);
  let text = null;
  if (!online) text = `You are offline. ${pending ? `${pending} message${pending > 1 ? "s" : ""} will be sent when you are back.` : "You can read what is here; new messages are sent when you are back."}`;
  else if (connection !== "open") text = "Reconnecting…";
  return html`<div class="banners">
    <${RestorePrompt} />
    ${text && html`<div class="banner ${online ? "banner-info" : "banner-offline"}" role="status">${text}</div>`}
    ${notice && html`<div class="banner banner-notice" role="alert">
      <span>${notice}</span>
      <button class="link" onClick=${() => dispatch({ type: "ui/notice", text: null })}>Dismiss</button>
    </div>`}
  </div>`;
}
