// Who is signed in. The session itself is the HttpOnly cookie; this holds
// only the User the server answered, and whether we know yet.
// features: the flags GET /me/features answered. backup: whether a key backup
// exists on the server and this browser may restore it (crypto/start.js).
// device: this browser's device, "ok", "too_many" (409 at publishing) or
// "removed" (taken off the account), null until known.
const initial = { me: null, status: "unknown", registration: null, features: {}, backup: null, device: null };

export function session(state = initial, action) {
  switch (action.type) {
    case "hydrate":
      return action.me ? { ...state, me: action.me, status: "in" } : state;
    case "session/in":
    case "me/updated":
      return { ...state, me: action.user, status: "in" };
    case "session/out":
      return { ...initial, status: "out", registration: state.registration };
    case "session/features":
      return { ...state, features: action.features ?? {} };
    case "e2ee/device":
      return { ...state, device: action.state };
    case "e2ee/backup":
      return { ...state, backup: action.backup };
    case "session/registration":
      return { ...state, registration: action.mode };
    default:
      return state;
  }
}

export const selectMe = (s) => s.session.me;
export const selectE2ee = (s) => !!s.session.features?.e2ee;
export const selectIsAdmin = (s) => s.session.me?.role === "admin";
