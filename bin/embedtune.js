#!/usr/bin/env node
// The embedtune command: runs the TypeScript sources through tsx. `embedtune repl` starts from the
// REPL's own entry, so its prompt appears before the kit (loaded in the background) is ready.
import { register } from "tsx/esm/api";

register();
const args = process.argv.slice(2);
if (args.length === 1 && args[0] === "repl") {
  const { replProgram } = await import("../repl/main.tsx");
  process.exitCode = await replProgram();
} else {
  const { main } = await import("../src/cli/main.ts");
  process.exitCode = await main(args);
}
