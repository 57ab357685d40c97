// The one store: a reducer a concern, and a middleware that writes what
// must survive a reload to IndexedDB in the same step it enters the store.
import { applyMiddleware, combineReducers, createStore } from "redux";
import { session } from "./session.js";
import { users } from "./users.js";
import { conversations } from "./conversations.js";
import { messages } from "./messages.js";
import { outbox } from "./outbox.js";
import { presence } from "./presence.js";
import { ui } from "./ui.js";
import { trust } from "./trust.js";
import { persist } from "./persist.js";

export const store = createStore(
  combineReducers({ session, users, conversations, messages, outbox, presence, ui, trust }),
  applyMiddleware(persist),
);
