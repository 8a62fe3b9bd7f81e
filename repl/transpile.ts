// One REPL input from TypeScript to JavaScript with esbuild: types are stripped, imports are kept as
// written (the REPL resolves them), nothing is bundled. An input cut short (an open bracket, a
// trailing operator, an open template literal or comment) is reported as "incomplete" so the REPL
// asks for the next line; any other syntax error is one line naming the line and column.
// esbuild drops expression statements it proves have no effect (`-1`, `"a" + "b"`, `typeof 1`,
// `undefined`), so when the input is plain JavaScript ending in an expression, that expression is kept
// as written: the REPL shows its value, as node's does.

import { parse } from "acorn";
import { transform, type Message } from "esbuild";

export type Transpiled =
  | { kind: "code"; code: string }
  | { kind: "incomplete" }
  | { kind: "syntax-error"; message: string };

const TRANSFORM_OPTIONS = {
  loader: "ts",
  target: "es2022",
  tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
  logLevel: "silent",
} as const;

export async function transpile(source: string): Promise<Transpiled> {
  // Like node's REPL: `{ a: 1 }` alone is an object, not a block with a label.
  if (/^\s*\{/.test(source) && !/;\s*$/.test(source)) {
    const asObject = await tryTransform(`(${source})`);
    if (asObject.ok) return { kind: "code", code: asObject.code };
  }
  const result = await tryTransform(source);
  if (result.ok) return { kind: "code", code: await keepFinalExpression(source, result.code) };
  if (await isCutShort(source, result.errors)) return { kind: "incomplete" };
  return { kind: "syntax-error", message: describeSyntaxError(result.errors[0]) };
}

type Attempt = { ok: true; code: string } | { ok: false; errors: Message[] };

async function tryTransform(source: string): Promise<Attempt> {
  try {
    return { ok: true, code: (await transform(source, TRANSFORM_OPTIONS)).code };
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (!Array.isArray(errors) || errors.length === 0) throw error;
    return { ok: false, errors };
  }
}

async function keepFinalExpression(source: string, code: string): Promise<string> {
  let last;
  try {
    last = parse(source, { ecmaVersion: "latest", sourceType: "module", allowAwaitOutsideFunction: true }).body.at(-1);
  } catch {
    return code; // TypeScript syntax: esbuild's output is all there is
  }
  if (last?.type !== "ExpressionStatement") return code;
  const before = await tryTransform(source.slice(0, last.start));
  return before.ok ? `${before.code}(${source.slice(last.expression.start, last.expression.end)});\n` : code;
}

const END_OF_INPUT = /end of file|to terminate multi-line comment/;

async function isCutShort(source: string, errors: Message[]): Promise<boolean> {
  const first = errors[0];
  if (END_OF_INPUT.test(first.text)) return true;
  // esbuild says "Unterminated string literal" for templates too; a template is still open when
  // closing it with a backtick makes that error go away (a quoted string stays unterminated).
  if (first.text.startsWith("Unterminated string literal")) {
    const closed = await tryTransform(`${source}\`;`);
    return closed.ok || !closed.errors[0].text.startsWith("Unterminated string literal");
  }
  return false;
}

function describeSyntaxError(error: Message): string {
  const where = error.location ? ` (line ${error.location.line}, column ${error.location.column + 1})` : "";
  return `${error.text}${where}`;
}
