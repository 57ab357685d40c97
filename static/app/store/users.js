// Everyone we have met (PublicUser), and our contact list.
const initial = { byId: {}, contacts: null };

export function users(state = initial, action) {
  switch (action.type) {
    case "hydrate":
    case "users/upsert":
      if (!action.users?.length) return state;
      return { ...state, byId: { ...state.byId, ...Object.fromEntries(action.users.map((u) => [u.id, u])) } };
    case "contacts/loaded":
      return { ...state, contacts: action.items };
    case "contacts/upsert": {
      const rest = (state.contacts ?? []).filter((c) => c.user_id !== action.contact.user_id);
      return { ...state, contacts: [action.contact, ...rest] };
    }
    case "contacts/removed":
      return { ...state, contacts: (state.contacts ?? []).filter((c) => c.user_id !== action.userId) };
    case "session/out":
      return initial;
    default:
      return state;
  }
}

export const selectUser = (s, id) => s.users.byId[id];
export const displayName = (user) => user?.display_name || user?.username || "Someone";
export const selectContacts = (s) => s.users.contacts;
