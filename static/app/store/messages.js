// Loaded history per conversation: messages in ascending seq, and whether
// older ones exist on the server.
// attachments: Attachment metadata we were given (by upload or lookup), by id.
const initial = { byConversation: {}, hasMore: {}, attachments: {} };

function insert(list, incoming) {
  const bySeq = new Map(list.map((m) => [m.seq, m]));
  for (const m of incoming) {
    const old = bySeq.get(m.seq);
    if (!old || (m.version ?? 0) >= (old.version ?? 0)) bySeq.set(m.seq, m);
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

export function messages(state = initial, action) {
  switch (action.type) {
    case "messages/upsert": {
      const byConversation = { ...state.byConversation };
      const groups = Map.groupBy(action.messages, (m) => m.conversation_id);
      for (const [id, incoming] of groups) byConversation[id] = insert(byConversation[id] ?? [], incoming);
      const hasMore = action.hasMore === undefined
        ? state.hasMore : { ...state.hasMore, [action.conversationId]: action.hasMore };
      return { ...state, byConversation, hasMore };
    }
    case "messages/replace":
      return { ...state, byConversation: { ...state.byConversation, [action.conversationId]: action.messages },
        hasMore: { ...state.hasMore, [action.conversationId]: action.hasMore } };
    case "attachments/known":
      return { ...state, attachments: { ...state.attachments, ...Object.fromEntries(action.items.map((a) => [a.id, a])) } };
    case "messages/hasMore":
      return { ...state, hasMore: { ...state.hasMore, [action.conversationId]: action.hasMore } };
    case "conversations/removed": {
      const { [action.id]: _, ...byConversation } = state.byConversation;
      return { ...state, byConversation };
    }
    case "session/out":
      return initial;
    default:
      return state;
  }
}

const EMPTY = [];
export const selectMessages = (s, id) => s.messages.byConversation[id] ?? EMPTY;
export const selectHasMore = (s, id) => s.messages.hasMore[id] ?? true;
