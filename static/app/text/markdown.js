// User text to preact nodes: marked's lexer parses a small markdown subset,
// and this walk builds elements for the token kinds we allow. Everything
// else (raw HTML included) comes out as plain text. No HTML string is ever
// made, so no user text can become markup. Links: http(s) only.
import { h } from "preact";
import { Lexer } from "marked";

const OPTIONS = { gfm: true, breaks: true };
const SAFE_URL = /^https?:\/\//i;
const MENTION = /(^|[^\w@])@([a-z0-9_.-]{3,32})/gi;

function text(value, mentions) {
  // Mentions of people in this conversation stand out.
  const parts = [];
  let last = 0;
  for (const m of value.matchAll(MENTION)) {
    const start = m.index + m[1].length;
    if (!mentions.has(m[2].toLowerCase())) continue;
    parts.push(value.slice(last, start), h("span", { class: "mention" }, "@" + m[2]));
    last = start + m[2].length + 1;
  }
  parts.push(value.slice(last));
  return parts;
}

function link(token, children) {
  if (!SAFE_URL.test(token.href)) return children;
  return h("a", { href: token.href, target: "_blank", rel: "noopener noreferrer nofollow" }, children);
}

function inline(tokens = [], ctx) {
  return tokens.map((t) => {
    switch (t.type) {
      case "strong": return h("strong", null, inline(t.tokens, ctx));
      case "em": return h("em", null, inline(t.tokens, ctx));
      case "del": return h("del", null, inline(t.tokens, ctx));
      case "codespan": return h("code", null, unescape(t.text));
      case "br": return h("br", null);
      case "link": return link(t, inline(t.tokens, ctx));
      case "text": return t.tokens ? inline(t.tokens, ctx) : text(unescape(t.text), ctx.mentions);
      case "escape": return unescape(t.text);
      default: return t.raw; // html, images and the rest: shown as written
    }
  });
}

function block(tokens = [], ctx) {
  return tokens.map((t) => {
    switch (t.type) {
      case "paragraph": return h("p", null, inline(t.tokens, ctx));
      case "text": return h("p", null, t.tokens ? inline(t.tokens, ctx) : text(unescape(t.text), ctx.mentions));
      case "code": return h("pre", null, h("code", null, t.text));
      case "blockquote": return h("blockquote", null, block(t.tokens, ctx));
      case "list": return h(t.ordered ? "ol" : "ul", null, t.items.map((i) => h("li", null, block(i.tokens, ctx))));
      case "heading": return h("p", null, h("strong", null, inline(t.tokens, ctx)));
      case "space": return null;
      case "hr": return h("hr", null);
      default: return h("p", null, t.raw);
    }
  });
}

// marked escapes &, <, > and quotes in text tokens for HTML output; we build
// text nodes, so turn them back into the characters the user typed.
const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };
function unescape(value) {
  return value.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]);
}

export function renderText(body, mentionNames = new Set()) {
  return block(Lexer.lex(body ?? "", OPTIONS), { mentions: mentionNames });
}
