// One REPL input from TypeScript to JavaScript with esbuild: types are stripped, imports are kept as
// written (the REPL resolves them), nothing is bundled. An input cut short (an open bracket, a
// trailing operator, an open template literal or comment) is reported as "incomplete" so the REPL
// asks for the next line; any other syntax error is one line naming the line and column.
// esbuild drops expression statements it proves have no effect (`-1`, `"a" + "b"`, `typeof 1`,
// `undefined`), the last one too, whose value the REPL shows; `export default (expression)` it keeps,
// and top-level.ts treats that as the input's final expression. Where the statements are is found by
// acorn, so this applies where the input also parses as JavaScript.

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
  const withFinalExpression = finalExpressionExported(source);
  if (withFinalExpression !== undefined) {
    const kept = await tryTransform(withFinalExpression);
    if (kept.ok) return { kind: "code", code: kept.code };
  }
  const result = await tryTransform(source);
  if (result.ok) return { kind: "code", code: result.code };
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

/** The input with its last statement, when that is an expression, as `export default (expression);`. */
function finalExpressionExported(source: string): string | undefined {
  let last;
  try {
    last = parse(source, { ecmaVersion: "latest", sourceType: "module", allowAwaitOutsideFunction: true }).body.at(-1);
  } catch {
    return undefined; // TypeScript syntax: no statement boundaries from acorn
  }
  if (last?.type !== "ExpressionStatement") return undefined;
  return `${source.slice(0, last.start)}export default (${source.slice(last.expression.start, last.expression.end)});`;
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
