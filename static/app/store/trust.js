// Safety numbers this browser has seen, per contact (crypto/trust.js).
const initial = { byUser: {} };

export function trust(state = initial, action) {
  switch (action.type) {
    case "trust/loaded":
    case "trust/put":
      return { byUser: { ...state.byUser, ...Object.fromEntries(action.items.map((t) => [t.user_id, t])) } };
    case "session/out":
      return initial;
    default:
      return state;
  }
}
