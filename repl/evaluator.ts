// The REPL's persistent evaluation. Each input is TypeScript with top-level await: transpiled
// (transpile.ts), its top-level declarations turned into assignments (top-level.ts), and run as an
// async function inside `with (scope)`. The scope object holds the kit, the `embedtune` namespace and
// every name an input declared, so a `const` from one input is there in the next (and may be declared
// again, as in a notebook). Inputs run in this process's own realm rather than a vm context, so arrays,
// typed arrays, promises and errors are the kit's own: tfjs and danfo test them with instanceof.
// A final expression's value is returned; a promise is awaited first.

import { runInThisContext } from "node:vm";
import { rewriteTopLevel } from "./top-level.ts";
import { transpile } from "./transpile.ts";

export type Scope = Record<string, unknown>;

export type Evaluation =
  | { kind: "value"; value: unknown }
  | { kind: "no-value" }
  | { kind: "incomplete" }
  | { kind: "error"; error: unknown };

export interface EvaluatorOptions {
  /** What `import … from "m"` and `import("m")` load. */
  importModule(specifier: string): Promise<unknown>;
}

const SCOPE_PARAMETER = "__embedtuneScope__";
const IMPORT_FUNCTION = "__embedtuneImport__";

export class Evaluator {
  private inputCount = 0;

  constructor(
    readonly scope: Scope,
    options: EvaluatorOptions,
  ) {
    Object.defineProperty(scope, IMPORT_FUNCTION, { value: options.importModule, enumerable: false });
  }

  async evaluate(source: string): Promise<Evaluation> {
    const transpiled = await transpile(source);
    if (transpiled.kind === "incomplete") return { kind: "incomplete" };
    if (transpiled.kind === "syntax-error") return { kind: "error", error: new SyntaxError(transpiled.message) };
    try {
      const rewritten = rewriteTopLevel(transpiled.code, IMPORT_FUNCTION);
      for (const name of rewritten.declaredNames) if (!Object.hasOwn(this.scope, name)) this.scope[name] = undefined;
      const run = runInThisContext(
        `(function (${SCOPE_PARAMETER}) { with (${SCOPE_PARAMETER}) { return (async () => {\n${rewritten.body}\n})(); } })`,
        { filename: `repl-input-${++this.inputCount}` },
      ) as (scope: Scope) => Promise<unknown>;
      let value = await run.call(globalThis, this.scope);
      if (isThenable(value)) value = await value;
      return rewritten.returnsValue ? { kind: "value", value } : { kind: "no-value" };
    } catch (error) {
      return { kind: "error", error };
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function";
}
