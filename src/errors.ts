// Named errors for user mistakes. Each carries a one-line message that names the file, field or
// argument and what is wrong; the CLI prints exactly that line (no stack trace) and exits non-zero.
// In a notebook cell (a tslab kernel) the error prints as that one line too, not as Node's inspect of
// it (source caret, frames, own fields); showTrace() then prints the stack of the last one shown.
// Outside a notebook inspect is Node's own, so scripts and the CLI see errors as they always did.

import { inspect } from "node:util";
import { inNotebook } from "./notebook/display.ts";

/** Base class: anything the user can fix (bad file, bad argument). Bugs stay plain Errors. */
export class EmbedtuneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

let lastShown: EmbedtuneError | undefined;

function oneLine(this: EmbedtuneError): string {
  lastShown = this;
  return `${this.name}: ${this.message}`;
}

// A getter, so that outside a notebook there is no custom inspect at all (Node formats the error as usual).
Object.defineProperty(EmbedtuneError.prototype, inspect.custom, {
  get: () => (inNotebook() ? oneLine : undefined),
});

/**
 * The stack of the last embedtune error a notebook cell printed as one line (the REPL's `.trace`),
 * without Node's source-line decoration; says so when there is none.
 */
export function showTrace(): void {
  if (!lastShown) {
    console.log("no embedtune error has been shown yet");
    return;
  }
  const stack = lastShown.stack ?? `${lastShown.name}: ${lastShown.message}`;
  const start = stack.indexOf(`${lastShown.name}: `);
  console.log(start > 0 ? stack.slice(start) : stack);
}

/** A model folder or one of its files is missing, unreadable or inconsistent. */
export class ModelLoadError extends EmbedtuneError {
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
  }
}

/** A safetensors file is malformed (header, offsets, dtype, truncation). */
export class SafetensorsError extends ModelLoadError {}

/** An argument given to a function or a CLI command is impossible. */
export class ArgumentError extends EmbedtuneError {
  constructor(readonly argument: string, detail: string) {
    super(`${argument}: ${detail}`);
  }
}
