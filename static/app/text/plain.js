// A message as one plain line (conversation list, reply quotes): markdown
// markers and line breaks would only distract there.
export function plainLine(body) {
  return (body ?? "").replace(/(\*\*|__|~~|`)/g, "").replace(/\s+/g, " ").trim();
}
