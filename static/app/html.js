// htm bound to preact: views are tagged templates, so no build step is needed.
import { h } from "preact";
import htm from "htm";

export const html = htm.bind(h);
