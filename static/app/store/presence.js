// Who is online (frames from the socket; never stored) and who is typing where.
const initial = { byUser: {}, typing: {} };

export function presence(state = initial, action) {
  switch (action.type) {
    case "presence/set":
      return { ...state, byUser: { ...state.byUser, [action.userId]: action.state } };
    case "typing/start": {
      const here = { ...(state.typing[action.conversationId] ?? {}), [action.userId]: action.until };
      return { ...state, typing: { ...state.typing, [action.conversationId]: here } };
    }
    case "typing/stop": {
      const { [action.userId]: _, ...here } = state.typing[action.conversationId] ?? {};
      return { ...state, typing: { ...state.typing, [action.conversationId]: here } };
    }
    case "session/out":
      return initial;
    default:
      return state;
  }
}

const NOBODY = {};
// {user id: until} of those typing in a conversation (the stored object, so views re-render only on change).
export const selectTyping = (s, conversationId) => s.presence.typing[conversationId] ?? NOBODY;
