// Conversations as the server shows them to us (ConversationView: with
// members, unread and last_message), kept current by events.
const initial = { byId: {} };

function merge(state, conversation) {
  const old = state.byId[conversation.id] ?? {};
  return { ...state, byId: { ...state.byId, [conversation.id]: { ...old, ...conversation } } };
}

export function conversations(state = initial, action) {
  switch (action.type) {
    case "hydrate":
    case "conversations/loaded": {
      const byId = action.type === "hydrate" ? { ...state.byId } : {};
      for (const c of action.conversations) byId[c.id] = c;
      return { byId };
    }
    case "conversations/upsert":
      return merge(state, action.conversation);
    case "conversations/removed": {
      const { [action.id]: _, ...byId } = state.byId;
      return { byId };
    }
    case "session/out":
      return initial;
    default:
      return state;
  }
}

const activity = (c) => c.last_message_at || c.created_at || "";

export const selectConversation = (s, id) => s.conversations.byId[id];
// Newest activity first; sorted again only when a conversation changed.
let sortedFrom = null;
let sorted = [];
export function selectConversationList(s) {
  if (s.conversations.byId !== sortedFrom) {
    sortedFrom = s.conversations.byId;
    sorted = Object.values(sortedFrom).sort((a, b) => activity(b).localeCompare(activity(a)));
  }
  return sorted;
}

// A direct conversation is named after the other person.
export function otherMember(conversation, meId) {
  return conversation?.members?.find((m) => m.user_id !== meId);
}

export function conversationTitle(conversation, meId) {
  if (!conversation) return "";
  if (conversation.kind === "group") return conversation.title;
  const other = otherMember(conversation, meId)?.user;
  return other?.display_name || other?.username || "Direct conversation";
}

export function groupPicture(conversation) {
  return conversation?.kind === "group" && conversation.avatar
    ? `/api/v1/conversations/${conversation.id}/avatar?v=${encodeURIComponent(conversation.avatar)}` : null;
}

export function myMember(conversation, meId) {
  return conversation?.members?.find((m) => m.user_id === meId);
}
