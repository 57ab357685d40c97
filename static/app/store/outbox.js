// Sends not yet confirmed by the server: shown as pending bubbles, kept in
// IndexedDB, sent again in order with the same client_id until they land or
// the server refuses them (then they stay, failed, until retried or discarded).
const initial = { items: [] };

export function outbox(state = initial, action) {
  switch (action.type) {
    case "hydrate":
      return { items: action.outbox };
    case "outbox/put": {
      const items = state.items.some((i) => i.client_id === action.item.client_id)
        ? state.items.map((i) => (i.client_id === action.item.client_id ? action.item : i))
        : [...state.items, action.item];
      return { items };
    }
    case "outbox/remove":
      return { items: state.items.filter((i) => i.client_id !== action.clientId) };
    case "session/out":
      return initial;
    default:
      return state;
  }
}

export const selectOutbox = (s) => s.outbox.items;
