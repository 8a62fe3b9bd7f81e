// The REPL's evaluation: TypeScript with top-level await in one persistent scope, declarations that
// outlive their input (and may be declared again), unfinished inputs reported as such, syntax
// errors as one line, imports, and values that stay this realm's own (instanceof works for the kit).

import assert from "node:assert/strict";
import { test } from "node:test";
import { Evaluator, type Evaluation, type Scope } from "../../repl/evaluator.ts";

function newEvaluator(scope: Scope = Object.create(null) as Scope): Evaluator {
  return new Evaluator(scope, { importModule: (specifier) => import(specifier) });
}

function valueOf(evaluation: Evaluation): unknown {
  if (evaluation.kind === "error") throw evaluation.error;
  assert.equal(evaluation.kind, "value", `expected a value, got ${evaluation.kind}`);
  return (evaluation as { value: unknown }).value;
}

test("a const, a destructured let, a function and a class declared in one input are there in the next", async () => {
  const evaluator = newEvaluator();
  assert.equal((await evaluator.evaluate("const base: number = 20")).kind, "no-value");
  await evaluator.evaluate("let { a, b: [c, ...rest] } = { a: 1, b: [2, 3, 4] }");
  await evaluator.evaluate("function double(n: number): number { return n * 2 }");
  await evaluator.evaluate("class Counter { count = 1; bump() { return ++this.count } }");
  assert.equal(valueOf(await evaluator.evaluate("double(base) + a + c + rest.length")), 45);
  assert.equal(valueOf(await evaluator.evaluate("new Counter().bump()")), 2);
  assert.equal(evaluator.scope.base, 20, "declarations land in the scope object");
});

test("a function declared at the end of an input can be called before it, as hoisting allows", async () => {
  assert.equal(valueOf(await newEvaluator().evaluate("const y = twice(4); function twice(n: number) { return 2 * n } y")), 8);
});

test("a const may be declared again in a later input, as in a notebook", async () => {
  const evaluator = newEvaluator();
  await evaluator.evaluate("const model = 'first'");
  await evaluator.evaluate("const model = 'second'");
  assert.equal(valueOf(await evaluator.evaluate("model")), "second");
});

test("top-level await works and a final promise is awaited for display", async () => {
  const evaluator = newEvaluator();
  await evaluator.evaluate("const later = await new Promise<number>((resolve) => setTimeout(() => resolve(41), 5))");
  assert.equal(valueOf(await evaluator.evaluate("later + 1")), 42);
  assert.equal(valueOf(await evaluator.evaluate("Promise.resolve('resolved')")), "resolved");
});

test("unfinished inputs are incomplete; an unterminated quoted string is a syntax error with its position", async () => {
  const evaluator = newEvaluator();
  for (const unfinished of ["const o = {", "f(1,", "1 +", "`template", "/* comment", "function g() {"]) {
    assert.equal((await evaluator.evaluate(unfinished)).kind, "incomplete", unfinished);
  }
  const broken = await evaluator.evaluate("'abc");
  assert.equal(broken.kind, "error");
  assert.match(String((broken as { error: unknown }).error), /^SyntaxError: Unterminated string literal \(line 1, column 5\)$/);
});

test("an object literal alone is an object, not a block", async () => {
  assert.deepEqual(valueOf(await newEvaluator().evaluate("{ a: 1, b: 'two' }")), { a: 1, b: "two" });
});

test("an input ending in an expression without effects shows its value, as in node's REPL", async () => {
  const evaluator = newEvaluator();
  await evaluator.evaluate("let calls = 0; function kept() { calls += 1 }");
  assert.equal(valueOf(await evaluator.evaluate('"abc"')), "abc");
  assert.equal(valueOf(await evaluator.evaluate('"a" + "b"')), "ab");
  assert.equal(valueOf(await evaluator.evaluate("'use strict'")), "use strict");
  assert.equal(valueOf(await evaluator.evaluate("-1")), -1);
  assert.equal(valueOf(await evaluator.evaluate("typeof 1")), "number");
  assert.equal(valueOf(await evaluator.evaluate("const s: string = 'x'; s + 1")), "x1");
  assert.equal(valueOf(await evaluator.evaluate("kept(); -2")), -2);
  assert.equal(valueOf(await evaluator.evaluate("calls")), 1);
  // Also valid JavaScript (two comparisons), but TypeScript's generic call is what runs.
  await evaluator.evaluate("function identity<T>(value: T): T { return value }");
  assert.equal(valueOf(await evaluator.evaluate('identity<string>("x")')), "x");
});

test("errors thrown by an input come back as errors, and the scope survives them", async () => {
  const evaluator = newEvaluator();
  await evaluator.evaluate("const kept = 7");
  const missing = await evaluator.evaluate("notDefinedAnywhere + 1");
  assert.equal(missing.kind, "error");
  assert.ok((missing as { error: unknown }).error instanceof ReferenceError);
  assert.equal(valueOf(await evaluator.evaluate("kept")), 7);
});

test("static and dynamic imports go through the REPL's importer", async () => {
  const asked: string[] = [];
  const evaluator = new Evaluator(Object.create(null) as Scope, {
    importModule: async (specifier) => {
      asked.push(specifier);
      return import(specifier);
    },
  });
  await evaluator.evaluate("import { join as joinPath } from 'node:path'");
  assert.equal(valueOf(await evaluator.evaluate("joinPath('a', 'b')")), "a/b");
  assert.equal(valueOf(await evaluator.evaluate("(await import('node:os')).EOL")), "\n");
  assert.deepEqual(asked, ["node:path", "node:os"]);
});

test("values are this realm's: typed arrays and errors pass instanceof checks the kit makes", async () => {
  const evaluator = newEvaluator();
  assert.ok(valueOf(await evaluator.evaluate("new Float32Array([1, 2])")) instanceof Float32Array);
  assert.ok(valueOf(await evaluator.evaluate("[1, 2]")) instanceof Array);
});

test("scope names are used by inputs and may be replaced", async () => {
  const scope = Object.create(null) as Scope;
  scope.kitFunction = (x: number) => x + 1;
  const evaluator = newEvaluator(scope);
  assert.equal(valueOf(await evaluator.evaluate("kitFunction(1)")), 2);
  await evaluator.evaluate("const kitFunction = () => 'mine'");
  assert.equal(valueOf(await evaluator.evaluate("kitFunction()")), "mine");
});
