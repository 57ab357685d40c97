// Desktop notifications for new messages while the tab is hidden, when the
// user turned them on in Settings (and the browser allowed it).
import { store } from "./store/index.js";
import { bodyOf } from "./text/content.js";

export async function enableNotifications() {
  if (!("Notification" in window)) return false;
  return (await Notification.requestPermission()) === "granted";
}

export function notifyMessage(message) {
  const { ui, users, conversations } = store.getState();
  if (!ui.prefs.notify || document.visibilityState === "visible") return;
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const sender = users.byId[message.sender_id]
    ?? conversations.byId[message.conversation_id]?.members?.find((m) => m.user_id === message.sender_id)?.user;
  const title = sender?.display_name || sender?.username || "New message";
  const shown = new Notification(title, { body: bodyOf(message).slice(0, 140) || "Sent an attachment", tag: message.conversation_id });
  shown.onclick = () => { window.focus(); history.pushState(null, "", `/c/${message.conversation_id}`);
    store.dispatch({ type: "ui/navigate", path: `/c/${message.conversation_id}` }); };
}
