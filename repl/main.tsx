// `embedtune repl` and `npm run repl`: the Ink app when stdin and stdout are a terminal, line mode
// otherwise (pipes, scripts, CI), where failed inputs make the command fail at the end. In the app the
// kit loads in the background after the first frame, so the prompt is there at once; what the kit
// prints by itself goes into the transcript. The CLI (src/cli/main.ts) imports only its repl command
// module before calling runRepl, so nothing else of the kit loads before the prompt.

import { render } from "ink";
import { captureProcessOutput } from "./capture-output.ts";
import { ReplApp, terminalSession } from "./app.tsx";
import { defaultHistoryFile } from "./history.ts";
import { runLineMode } from "./line-mode.ts";
import { Transcript } from "./output.ts";
import { EmbedtuneError } from "../src/errors.ts";
import { EMBEDTUNE_VERSION } from "../src/version.ts";

/** Line mode ran a script in which some inputs failed (each was shown as it failed). */
export class ReplScriptFailed extends EmbedtuneError {
  constructor(readonly failures: number) {
    super(`repl: ${failures} ${failures === 1 ? "input" : "inputs"} failed (shown above)`);
  }
}

/** Runs the REPL until it exits; throws ReplScriptFailed when inputs failed in line mode. */
export async function runRepl(): Promise<void> {
  if (process.stdin.isTTY && process.stdout.isTTY) return runTerminalApp();
  const failures = await runLineMode(process.stdin);
  if (failures > 0) throw new ReplScriptFailed(failures);
}

async function runTerminalApp(): Promise<void> {
  const transcript = new Transcript();
  transcript.append({
    tone: "note",
    lines: [`embedtune ${EMBEDTUNE_VERSION} REPL — TypeScript with top-level await; the kit is in scope (loadModel, loadPairScore, train, …, embedtune.*). .help for commands.`],
  });
  const session = terminalSession(transcript, { historyFile: defaultHistoryFile(), width: () => process.stdout.columns || 100 });
  const restoreOutput = captureProcessOutput(transcript.append);
  try {
    const instance = render(<ReplApp session={session} transcript={transcript} />, { exitOnCtrlC: false, patchConsole: false });
    await instance.waitUntilExit();
  } finally {
    restoreOutput();
  }
}
