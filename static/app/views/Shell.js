// The signed-in frame: the sidebar and the routed screen. On a narrow
// screen only one of the two shows (CSS; see .has-main).
import { html } from "../html.js";
import { useSelector } from "../hooks.js";
import { selectPath, routeOf } from "../store/ui.js";
import { Sidebar } from "./Sidebar.js";
import { ConversationView } from "./ConversationView.js";
import { NewConversation } from "./NewConversation.js";
import { Contacts } from "./Contacts.js";
import { Search } from "./Search.js";
import { Settings } from "./Settings.js";
import { Admin } from "./Admin.js";
import { Banner } from "./Banner.js";
import { Empty } from "./Empty.js";
import { SafetyNumber } from "./SafetyNumber.js";
import { ReauthPrompt } from "./ReauthPrompt.js";

const SCREENS = { c: ConversationView, new: NewConversation, contacts: Contacts, search: Search,
  settings: Settings, admin: Admin, safety: SafetyNumber };

export function Shell() {
  const route = routeOf(useSelector(selectPath));
  const Screen = SCREENS[route.name];
  return html`<div class=${"layout" + (Screen ? " has-main" : "")}>
    <${Banner} />
    <${Sidebar} activeId=${route.name === "c" ? route.id : null} />
    <main class="main" id="main">
      ${Screen ? html`<${Screen} key=${route.name + route.id} id=${route.id} />` : html`<${Empty} />`}
    </main>
    <${ReauthPrompt} />
  </div>`;
}
