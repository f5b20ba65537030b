// Static checks of the stylesheets (src/styles/*.css: base.css and one per screen) for touch and
// focus (no browser needed).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { UI_DIR } from "./harness.js";

const STYLES = join(UI_DIR, "src", "styles");
const files = readdirSync(STYLES).filter((name) => name.endsWith(".css")).sort();
const css = files.map((name) => readFileSync(join(STYLES, name), "utf8")).join("\n");

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
  it("reads every stylesheet the two pages (main.ts, customer.ts) import", () => {
    const entries = ["main.ts", "customer.ts"].map((entry) => readFileSync(join(UI_DIR, "src", entry), "utf8"));
    const imported = [...new Set(entries.flatMap((text) => [...text.matchAll(/^import "\.\/styles\/([\w-]+\.css)";$/gm)].map((m) => m[1])))].sort();
    assert.ok(files.includes("base.css"));
    assert.deepEqual(imported, files);
  });

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
