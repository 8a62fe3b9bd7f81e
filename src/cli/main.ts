// The `embedtune` command: dispatches to one module per command, imported only when it runs (most of
// them pull in the whole kit, ~2 s; `embedtune repl` shows its prompt before the kit has loaded). User
// mistakes (EmbedtuneError, bad options) and file-system failures that escaped unwrapped (errno errors)
// print one line `embedtune: error: …` and exit 1 (2 for usage); bugs print `embedtune: internal
// error: …` with their stack and exit 70 (EX_SOFTWARE). Nothing is re-thrown: tfjs' wasm module
// re-throws uncaught errors from its own handler, which printed a minified 36 kB source line and exit 7.

import { pathToFileURL } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { EmbedtuneError } from "../errors.ts";
import { fileSystemError, isErrnoError } from "../io/file-system-errors.ts";
import { EMBEDTUNE_VERSION } from "../version.ts";
import type { OptionValues } from "./options.ts";

export interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  run(values: OptionValues, positionals: string[]): Promise<void>;
}

const COMMANDS: Record<string, () => Promise<Command>> = {
  tutorial: async () => (await import("./tutorial.ts")).tutorialCommand,
  train: async () => (await import("./train.ts")).trainCommand,
  evaluate: async () => (await import("./evaluate.ts")).evaluateCommand,
  mine: async () => (await import("./mine.ts")).mineCommand,
  demo: async () => (await import("./demo.ts")).demoCommand,
  encode: async () => (await import("./encode.ts")).encodeCommand,
  tokenize: async () => (await import("./tokenize.ts")).tokenizeCommand,
  "init-model": async () => (await import("./init-model.ts")).initModelCommand,
  "export-onnx": async () => (await import("./export-onnx.ts")).exportOnnxCommand,
  "export-script": async () => (await import("./export-script.ts")).exportScriptCommand,
  info: async () => (await import("./info.ts")).infoCommand,
  "setup-gpu": async () => (await import("./setup-gpu.ts")).setupGpuCommand,
  repl: async () => (await import("./repl.ts")).replCommand,
};

class UsageError extends EmbedtuneError {}

async function help(): Promise<string> {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const commands = await Promise.all(Object.entries(COMMANDS).map(async ([name, load]) => [name, await load()] as const));
  return [
    `embedtune ${EMBEDTUNE_VERSION} — fine-tune sentence-embedding models in TypeScript`,
    "",
    "Usage: embedtune <command> [options]    (embedtune <command> --help for its options)",
    "",
    "Commands:",
    ...commands.map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
    "",
    "Environment: EMBEDTUNE_ENGINE=onnxruntime|tfjs chooses the engine; EMBEDTUNE_DEVICE=cpu|cuda|cuda:N sets the default device; EMBEDTUNE_BACKEND=tensorflow|wasm|cpu forces the tfjs backend; EMBEDTUNE_CACHE moves the default model's cache.",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(await help());
    return 0;
  }
  if (name === "--version") {
    console.log(EMBEDTUNE_VERSION);
    return 0;
  }
  try {
    if (!Object.hasOwn(COMMANDS, name)) throw new UsageError(`unknown command ${JSON.stringify(name)} (embedtune --help lists them)`);
    const command = await COMMANDS[name]();
    if (rest.includes("--help") || rest.includes("-h")) {
      console.log(`Usage: ${command.usage}\n\n${command.summary}`);
      return 0;
    }
    let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
    try {
      parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true }) as typeof parsed;
    } catch (error) {
      throw new UsageError(`${(error as Error).message.split("\n")[0]} (usage: ${command.usage})`);
    }
    await command.run(parsed.values, parsed.positionals);
    return 0;
  } catch (error) {
    return reportError(error);
  }
}

/** What a failed system call was doing, for the one-line message of an unwrapped errno error. */
const SYSCALL_ACTIONS: Record<string, string> = {
  open: "opening it",
  read: "reading it",
  write: "writing it",
  mkdir: "creating it",
  rename: "renaming it",
  unlink: "removing it",
  rmdir: "removing it",
  rm: "removing it",
  scandir: "listing it",
  opendir: "listing it",
  stat: "looking it up",
  lstat: "looking it up",
  access: "checking access to it",
  copyfile: "copying it",
  symlink: "linking it",
  chmod: "changing its permissions",
};

/** The longest line printed for an unexpected error (a minified source line can be 36 kB). */
const MAX_LINE = 500;

function clip(line: string): string {
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}… (${line.length} characters)` : line;
}

/** Prints `error` for a person and returns the exit code. */
export function reportError(error: unknown): number {
  if (error instanceof EmbedtuneError) {
    process.stderr.write(`embedtune: error: ${error.message}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
  if (isErrnoError(error)) {
    const line =
      typeof error.path === "string"
        ? fileSystemError(error, error.path, (error.syscall && SYSCALL_ACTIONS[error.syscall]) ?? `calling ${error.syscall ?? "the system"}`).message
        : `${error.message.split("\n")[0]}`;
    process.stderr.write(`embedtune: error: ${clip(line)}\n`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  const frames = error instanceof Error && error.stack ? error.stack.split("\n").filter((line) => /^\s+at /.test(line)) : [];
  process.stderr.write(
    [`embedtune: internal error: ${clip(message.split("\n")[0])} (a bug in embedtune; please report it with this output)`, ...frames.map(clip)].join("\n") + "\n",
  );
  return 70;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
