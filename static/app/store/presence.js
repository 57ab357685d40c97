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

export const selectPresence = (s, userId) => s.presence.byUser[userId] ?? "offline";
export const selectTyping = (s, conversationId) => Object.keys(s.presence.typing[conversationId] ?? {});
