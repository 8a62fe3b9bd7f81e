// REPL history: kept in a file from one session to the next (multi-line inputs whole), walked with
// older()/newer() from the line being typed, no repeated neighbours, trimmed to the newest 1000.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { History } from "../../repl/history.ts";
import { temporaryDirectory } from "../support/temp.ts";

test("entries written by one session are there in the next, multi-line ones whole", () => {
  const file = join(temporaryDirectory(), "history");
  const first = new History(file);
  first.add("const a = 1");
  first.add("const o = {\n  a: 1,\n}");
  first.add("const o = {\n  a: 1,\n}");
  first.add("   ");
  const second = new History(file);
  assert.deepEqual(second.entries, ["const a = 1", "const o = {\n  a: 1,\n}"]);
});

test("older() and newer() walk the entries and come back to the line being typed", () => {
  const history = new History(null);
  history.add("one");
  history.add("two");
  assert.equal(history.older("typing"), "two");
  assert.equal(history.older("two"), "one");
  assert.equal(history.older("one"), undefined);
  assert.equal(history.newer(), "two");
  assert.equal(history.newer(), "typing");
  assert.equal(history.newer(), undefined);
});

test("a file with more than 1000 entries is trimmed to the newest 1000", () => {
  const file = join(temporaryDirectory(), "history");
  writeFileSync(file, Array.from({ length: 1200 }, (_, i) => `${JSON.stringify(`entry ${i}`)}\n`).join(""));
  const history = new History(file);
  assert.equal(history.entries.length, 1000);
  assert.equal(history.entries[0], "entry 200");
  assert.equal(readFileSync(file, "utf8").trim().split("\n").length, 1000);
});
