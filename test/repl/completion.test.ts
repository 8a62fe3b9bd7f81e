// Tab completion: commands, names in scope, properties of live objects through their prototypes,
// paths after .data, and the common prefix of several candidates.

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { commonPrefix, complete, type CompletionSource } from "../../repl/completion.ts";
import { temporaryDirectory } from "../support/temp.ts";

class Model {
  dimension = 64;
  encode() {}
  encodeBatch() {}
}

const scope: Record<string, unknown> = { loadModel: () => {}, loadPairScore: () => {}, model: new Model() };
const source: CompletionSource = {
  scopeNames: () => Object.keys(scope),
  lookup: (path) => path.reduce<unknown>((value, name) => (value as Record<string, unknown> | undefined)?.[name], scope),
  commands: [".data", ".help", ".history", ".load"],
};

test("a name completes from the scope; several candidates share a common prefix", () => {
  const completion = complete("const m = await loadP", 21, source);
  assert.equal(completion.from, 16);
  assert.deepEqual(completion.candidates, ["loadPairScore"]);
  assert.deepEqual(complete("load", 4, source).candidates, ["loadModel", "loadPairScore"]);
  assert.equal(commonPrefix(["loadModel", "loadPairScore"]), "load");
});

test("after a dot, properties of the live object complete, inherited methods included", () => {
  const completion = complete("model.enc", 9, source);
  assert.equal(completion.from, 6);
  assert.deepEqual(completion.candidates, ["encode", "encodeBatch"]);
  assert.ok(complete("model.", 6, source).candidates.includes("dimension"));
});

test("commands complete after a leading dot, and paths after .data", () => {
  assert.deepEqual(complete(".h", 2, source).candidates, [".help", ".history"]);
  const folder = temporaryDirectory();
  mkdirSync(join(folder, "pair-score"));
  writeFileSync(join(folder, "pairs.tsv"), "");
  const typed = `.data ${folder}/pa`;
  const completion = complete(typed, typed.length, source);
  assert.equal(completion.from, 6);
  assert.deepEqual(completion.candidates, [`${folder}/pair-score/`, `${folder}/pairs.tsv`]);
});

test("nothing is offered inside a call's result or for an empty word", () => {
  assert.deepEqual(complete("f().enc", 7, source).candidates, []);
  assert.deepEqual(complete("1 + ", 4, source).candidates, []);
});
