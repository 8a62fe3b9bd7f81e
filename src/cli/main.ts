// The `embedtune` command: dispatches to one module per command, imported only when it runs (most of
// them pull in the whole kit, ~2 s; `embedtune repl` shows its prompt before the kit has loaded). User
// mistakes (EmbedtuneError, bad options) print one line `embedtune: error: …` and exit 1 (2 for usage);
// bugs keep their stack.

import { pathToFileURL } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { EmbedtuneError } from "../errors.ts";
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
  demo: async () => (await import("./demo.ts")).demoCommand,
  encode: async () => (await import("./encode.ts")).encodeCommand,
  tokenize: async () => (await import("./tokenize.ts")).tokenizeCommand,
  "init-model": async () => (await import("./init-model.ts")).initModelCommand,
  "export-onnx": async () => (await import("./export-onnx.ts")).exportOnnxCommand,
  info: async () => (await import("./info.ts")).infoCommand,
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
    "Environment: EMBEDTUNE_ENGINE=onnxruntime|tfjs chooses the engine; EMBEDTUNE_BACKEND=tensorflow|wasm|cpu forces the tfjs backend; EMBEDTUNE_CACHE moves the default model's cache.",
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
    if (error instanceof EmbedtuneError) {
      process.stderr.write(`embedtune: error: ${error.message}\n`);
      return error instanceof UsageError ? 2 : 1;
    }
    throw error;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
