// `embedtune repl`: the interactive REPL (repl/): TypeScript with top-level await and the kit in
// scope, live training progress; plain line mode when stdin is not a terminal, where any failed
// input makes the command fail at the end (so a script in CI does). main() imports only this module
// for `embedtune repl`, so the prompt appears while the kit loads in the background.

import { ArgumentError } from "../errors.ts";
import type { Command } from "./main.ts";

export const replCommand: Command = {
  summary: "interactive TypeScript REPL with the kit in scope and live training charts (line mode when piped)",
  usage: "embedtune repl   (with stdin not a terminal: reads lines, prints plain text)",
  options: {},
  async run(_values, positionals) {
    if (positionals.length > 0) throw new ArgumentError("repl", `takes no arguments, got ${positionals.join(" ")}`);
    const { runRepl } = await import("../../repl/main.tsx");
    await runRepl();
  },
};
