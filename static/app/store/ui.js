// What the screen shows: the route, connection state, drafts, the message
// being replied to or edited, an edit conflict, a passing notice.
import { loadPreferences } from "../prefs.js";

const initial = {
  path: location.pathname, connection: "connecting", online: navigator.onLine, drafts: {},
  replyTo: null, editing: null, conflict: null, notice: null, prefs: loadPreferences(),
};

export function ui(state = initial, action) {
  switch (action.type) {
    case "ui/navigate":
      return { ...state, path: action.path, replyTo: null, editing: null, conflict: null };
    case "ui/connection":
      return { ...state, connection: action.state };
    case "ui/online":
      return { ...state, online: action.online };
    case "ui/draft":
      return { ...state, drafts: { ...state.drafts, [action.conversationId]: action.text } };
    case "ui/replyTo":
      return { ...state, replyTo: action.message, editing: null };
    case "ui/editing":
      return { ...state, editing: action.message, replyTo: null };
    case "ui/conflict":
      return { ...state, conflict: action.conflict };
    case "ui/notice":
      return { ...state, notice: action.text };
    case "ui/prefs":
      return { ...state, prefs: { ...state.prefs, ...action.prefs } };
    case "session/out":
      return { ...initial, path: "/", prefs: state.prefs, online: state.online };
    default:
      return state;
  }
}

export const selectPath = (s) => s.ui.path;
export function routeOf(path) {
  const parts = path.split("/").filter(Boolean);
  return { name: parts[0] ?? "home", id: parts[1] ?? null };
}
