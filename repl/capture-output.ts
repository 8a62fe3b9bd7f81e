// While the Ink app owns the terminal, what the kit prints by itself (console.log/info/warn/error/
// debug, direct writes to stderr such as the backend line) becomes transcript lines instead of
// tearing through the drawing: escape sequences are dropped, and of a line redrawn with "\r" (a
// progress bar) only the final state is kept. Returns the function that restores everything.

import { format } from "node:util";
import type { Output } from "./output.ts";

const CONSOLE_METHODS = ["log", "info", "warn", "error", "debug"] as const;
const CURSOR_TO_LINE_START = /\u001b\[[01]?G/g;
const ESCAPE_SEQUENCE = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[@-Z\\-_]/g;

export function captureProcessOutput(output: Output): () => void {
  const saved = CONSOLE_METHODS.map((name) => [name, console[name]] as const);
  for (const name of CONSOLE_METHODS) {
    console[name] = (...args: unknown[]) => output({ tone: "log", lines: format(...args).split("\n") });
  }
  const stderrWrite = process.stderr.write;
  let partial = "";
  process.stderr.write = ((chunk: Uint8Array | string, ...rest: unknown[]) => {
    // cli-progress returns to the line's start with "cursor to column 1" (ESC[G / ESC[1G), not "\r".
    partial += (typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8")).replace(CURSOR_TO_LINE_START, "\r");
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    // A line redrawn with "\r" only needs its latest state.
    const redrawn = partial.split("\r").at(-1) ?? "";
    if (redrawn !== "") partial = redrawn;
    const cleaned = lines.map((line) => (line.replace(/\r$/, "").split("\r").at(-1) ?? "").replace(ESCAPE_SEQUENCE, "")).filter((line) => line.trim() !== "");
    if (cleaned.length > 0) output({ tone: "log", lines: cleaned });
    const callback = rest.find((argument) => typeof argument === "function") as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stderr.write;
  return () => {
    for (const [name, method] of saved) console[name] = method;
    process.stderr.write = stderrWrite;
  };
}
