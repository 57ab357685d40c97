// Preferences of this browser (theme, notifications, the last conversation
// opened) in localStorage. Never a token or password: the session is an
// HttpOnly cookie the page cannot read.
const KEY = "chatd.prefs";
const DEFAULTS = { theme: "system", notify: false, lastConversation: null };

export function loadPreferences() {
  try {
    return { ...DEFAULTS, ...JSON.parse(localStorage.getItem(KEY) ?? "{}") };
  } catch {
    return { ...DEFAULTS };
  }
}

export function savePreferences(prefs) {
  localStorage.setItem(KEY, JSON.stringify(prefs));
}

export function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
}
