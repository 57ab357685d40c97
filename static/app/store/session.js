// Who is signed in. The session itself is the HttpOnly cookie; this holds
// only the User the server answered, and whether we know yet.
const initial = { me: null, status: "unknown", registration: null };

export function session(state = initial, action) {
  switch (action.type) {
    case "hydrate":
      return action.me ? { ...state, me: action.me, status: "in" } : state;
    case "session/in":
    case "me/updated":
      return { ...state, me: action.user, status: "in" };
    case "session/out":
      return { ...initial, status: "out", registration: state.registration };
    case "session/registration":
      return { ...state, registration: action.mode };
    default:
      return state;
  }
}

export const selectMe = (s) => s.session.me;
export const selectIsAdmin = (s) => s.session.me?.role === "admin";
