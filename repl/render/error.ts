// Errors in the REPL: one line for the prompt ("ReferenceError: x is not defined", the first line of
// the message), and the full story for `.trace`: the stack and every `cause` under it.

import { inspect } from "node:util";

export function errorLine(error: unknown): string {
  if (error instanceof Error) {
    const message = error.message.split("\n").find((line) => line.trim() !== "")?.trim() ?? "";
    return message === "" ? error.name : `${error.name}: ${message}`;
  }
  return `Uncaught ${inspect(error, { breakLength: Infinity, depth: 1 })}`;
}

export function errorTrace(error: unknown): string[] {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    if (depth > 0) lines.push("Caused by:");
    lines.push(...(current instanceof Error ? (current.stack ?? errorLine(current)) : errorLine(current)).split("\n"));
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines;
}
