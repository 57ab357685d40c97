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
      // contact.updated events carry the relation without the other user.
      const old = (state.contacts ?? []).find((c) => c.user_id === action.contact.user_id);
      const user = action.contact.user ?? old?.user ?? state.byId[action.contact.user_id];
      const rest = (state.contacts ?? []).filter((c) => c.user_id !== action.contact.user_id);
      return { ...state, contacts: user ? [{ ...action.contact, user }, ...rest] : rest };
    }
    case "contacts/removed":
      return { ...state, contacts: (state.contacts ?? []).filter((c) => c.user_id !== action.userId) };
    case "session/out":
      return initial;
    default:
      return state;
  }
}

export const displayName = (user) => user?.display_name || user?.username || "Someone";
export const selectContacts = (s) => s.users.contacts;
