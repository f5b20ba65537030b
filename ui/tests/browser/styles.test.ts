// Static checks of src/styles.css for touch and focus (no browser needed).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { UI_DIR } from "./harness.js";

const css = readFileSync(join(UI_DIR, "src", "styles.css"), "utf8");

/** The CSS with every `@media (hover: hover) { … }` block taken out (balanced braces). */
function withoutHoverBlocks(text: string): string {
  let out = "";
  let i = 0;
  for (;;) {
    const at = text.indexOf("@media (hover: hover)", i);
    if (at === -1) return out + text.slice(i);
    out += text.slice(i, at);
    let depth = 0;
    let j = text.indexOf("{", at);
    for (; j < text.length; j++) {
      if (text[j] === "{") depth++;
      else if (text[j] === "}" && --depth === 0) break;
    }
    i = j + 1;
  }
}

describe("touch and focus styles", () => {
  it("puts every :hover rule under @media (hover: hover), so a tapped key does not stay grey", () => {
    assert.ok(css.includes("@media (hover: hover)"));
    assert.doesNotMatch(withoutHoverBlocks(css), /:hover/);
  });

  it("gives every button a visible :active press", () => {
    assert.match(css, /button:active:not\(:disabled\)\s*\{[^}]*background/);
  });

  it("has no faded disabled buttons, and a two-tone focus ring", () => {
    assert.doesNotMatch(css, /:disabled\s*\{[^}]*opacity/);
    assert.match(css, /:focus-visible\s*\{[^}]*outline:[^}]*box-shadow/);
  });
});
