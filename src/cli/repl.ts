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
    const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
    const { runRepl } = await (interactive ? importHidingCiMarkers(() => import("../../repl/main.tsx")) : import("../../repl/main.tsx"));
    await runRepl();
  },
};

/**
 * Ink decides once, when it loads, that it runs in CI (is-in-ci: CI or CONTINUOUS_INTEGRATION set)
 * and then draws only its last frame: no prompt, no live chart. A person at a terminal is not CI,
 * whatever the environment says, so Ink loads with those variables hidden; they are back right after,
 * for the code typed into the REPL.
 */
async function importHidingCiMarkers<T>(load: () => Promise<T>): Promise<T> {
  const markers = ["CI", "CONTINUOUS_INTEGRATION"] as const;
  const saved = markers.map((name) => [name, process.env[name]] as const);
  for (const name of markers) delete process.env[name];
  try {
    return await load();
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}
