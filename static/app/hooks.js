// The store in views: useSelector re-renders a component when what it
// selects changes (compared with ===, so selectors return stored objects).
import { useEffect, useReducer, useRef } from "preact/hooks";
import { store } from "./store/index.js";

export function useSelector(selector) {
  const [, rerender] = useReducer((n) => n + 1, 0);
  const latest = useRef(selector);
  latest.current = selector;
  const value = selector(store.getState());
  const seen = useRef(value);
  seen.current = value;
  useEffect(() => {
    const check = () => { if (latest.current(store.getState()) !== seen.current) rerender(); };
    const unsubscribe = store.subscribe(check);
    check(); // a change between render and this effect would be missed otherwise
    return unsubscribe;
  }, []);
  return value;
}

export const dispatch = (action) => store.dispatch(action);
