// Line mode, when stdin or stdout is not a terminal (`printf '…' | embedtune repl`, scripts, CI):
// lines are read one after another (a multi-line input continues until it is complete), results
// are printed as plain text on stdout and errors as one line on stderr; trainers print their own
// summary lines. Returns how many inputs failed (an unfinished input at the end counts as one).
// Ctrl-C (SIGINT) stops a training run at the next step; a second one, or one while idle, exits.

import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { OutputBlock } from "./output.ts";
import { ReplSession } from "./session.ts";

export async function runLineMode(input: Readable): Promise<number> {
  let failures = 0;
  const print = (block: OutputBlock) => {
    if (block.tone === "error") failures += 1;
    (block.tone === "error" ? process.stderr : process.stdout).write(`${block.lines.join("\n")}\n`);
  };
  const session = new ReplSession({ output: print, historyFile: null, width: () => process.stdout.columns || 100, quietTrainers: false });
  const onInterrupt = () => {
    if (session.interrupt() !== "stopping-training") process.exit(130);
  };
  process.on("SIGINT", onInterrupt);
  try {
    for await (const line of createInterface({ input, terminal: false, crlfDelay: Infinity })) {
      if ((await session.submit(line)) === "exit") break;
    }
    if (session.continuing) {
      print({ tone: "error", lines: ["SyntaxError: the input ended inside an unfinished expression"] });
    }
  } finally {
    process.off("SIGINT", onInterrupt);
  }
  return failures;
}
