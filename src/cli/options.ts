// Shared CLI option handling: integers with a one-line error naming the option, the --model option
// (the embedded default model when absent), and input sentences from arguments or --input FILE
// (`-` for stdin): one sentence per line, or one JSON string per line for a .jsonl file (so a sentence
// may hold a newline). `openSentences` reads the file as a stream (memory bounded by a chunk, however
// long the file; a file that cannot be opened fails at once, before a model loads); `inputSentences`
// reads it whole, for commands that need every sentence anyway.

import { readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import type { Readable } from "node:stream";
import { ArgumentError } from "../errors.ts";
import { isErrnoError } from "../io/file-system-errors.ts";
import type { SentenceTransformer, SentenceTransformerOptions } from "../models/sentence-transformer.ts";

export type OptionValues = Record<string, string | boolean | undefined>;

export function integerOption(values: OptionValues, name: string, minimum = 1): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < minimum) {
    throw new ArgumentError(`--${name}`, `must be an integer ≥ ${minimum}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** The options of every command that loads a model: a folder or Hub id, how to fetch it, where it computes. */
export const MODEL_OPTIONS = {
  model: { type: "string" },
  revision: { type: "string" },
  "cache-folder": { type: "string" },
  token: { type: "string" },
  "local-files-only": { type: "boolean" },
  device: { type: "string" },
} as const;

/** Usage text of MODEL_OPTIONS. */
export const MODEL_USAGE = "[--model DIR|ID [--revision REV] [--cache-folder DIR] [--token T] [--local-files-only]] [--device cpu|cuda|cuda:N]";

/** SentenceTransformer.load's options from MODEL_OPTIONS' values. */
export async function modelLoadOptions(values: OptionValues): Promise<SentenceTransformerOptions> {
  const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  const device = text("device");
  if (device !== undefined) {
    const checkDevice: (value: unknown, argument: string) => void = (await import("../engines/device-name.ts")).checkDevice;
    checkDevice(device, "--device");
  }
  return {
    revision: text("revision"),
    cacheFolder: text("cache-folder"),
    token: text("token"),
    localFilesOnly: values["local-files-only"] === true ? true : undefined,
    device: device as SentenceTransformerOptions["device"],
  };
}

/** The model of --model (a folder or a Hub id), else the embedded default; the kit is imported here, so parsing options stays light. */
export async function loadModelOption(values: OptionValues, extra: SentenceTransformerOptions = {}): Promise<SentenceTransformer> {
  const [{ ensureDefaultModel }, { SentenceTransformer }] = await Promise.all([
    import("../generator/default-model.ts"),
    import("../models/sentence-transformer.ts"),
  ]);
  const directory = typeof values.model === "string" ? values.model : await ensureDefaultModel();
  return SentenceTransformer.load(directory, { ...(await modelLoadOptions(values)), ...extra });
}

export function inputSentences(values: OptionValues, positionals: string[]): string[] {
  const path = inputPath(values, positionals);
  const sentences = path !== undefined ? readSentences(path) : positionals;
  if (sentences.length === 0) throw new ArgumentError("SENTENCE", NOTHING_TO_DO);
  return sentences;
}

/** Input sentences in order, read as they are consumed; `describe(i)` names the i-th (0-based) for messages. */
export interface SentenceSource extends AsyncIterable<string> {
  /** E.g. `sentences.txt line 3`, `standard input line 3`, `sentence 3` (an argument). */
  describe(index: number): string;
  /** Stops reading (the rest of the input is left unread). */
  close(): void;
}

/**
 * The sentences of --input FILE (streamed) or of the arguments. Iterating throws a one-line
 * ArgumentError for an unreadable or malformed line, and for an input that holds no sentence.
 */
export async function openSentences(values: OptionValues, positionals: string[]): Promise<SentenceSource> {
  const path = inputPath(values, positionals);
  if (path === undefined) {
    if (positionals.length === 0) throw new ArgumentError("SENTENCE", NOTHING_TO_DO);
    return { [Symbol.asyncIterator]: async function* () { yield* positionals; }, describe: (index) => `sentence ${index + 1}`, close() {} };
  }
  const stream = path === "-" ? process.stdin : await openFileStream(path);
  const name = path === "-" ? "standard input" : path;
  return {
    async *[Symbol.asyncIterator]() {
      let count = 0;
      try {
        for await (const line of streamLines(stream)) {
          yield path.endsWith(".jsonl") ? parseJsonLine(path, line, count + 1) : line;
          count++;
        }
      } catch (error) {
        throw isErrnoError(error) ? cannotRead(path, error) : error;
      }
      if (count === 0) throw new ArgumentError("--input", `${name} holds no sentences: ${NOTHING_TO_DO}`);
    },
    describe: (index) => `${name} line ${index + 1}`,
    close: () => stream.destroy(),
  };
}

const NOTHING_TO_DO = "nothing to do: give sentences as arguments or --input FILE";

function inputPath(values: OptionValues, positionals: string[]): string | undefined {
  if (values.input !== undefined && positionals.length > 0) {
    throw new ArgumentError("--input", "give either --input FILE or sentences as arguments, not both");
  }
  return typeof values.input === "string" ? values.input : undefined;
}

function cannotRead(path: string, error: unknown): ArgumentError {
  return new ArgumentError("--input", `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
}

async function openFileStream(path: string): Promise<Readable> {
  try {
    const handle = await open(path, "r");
    if ((await handle.stat()).isDirectory()) {
      await handle.close();
      throw Object.assign(new Error(`${path} is a folder`), { code: "EISDIR" });
    }
    return handle.createReadStream({ encoding: "utf8" });
  } catch (error) {
    throw cannotRead(path, error);
  }
}

/** The lines of a text stream, split as `text.split(/\r?\n/)` with a final empty line dropped; a chunk at a time. */
async function* streamLines(stream: Readable): AsyncGenerator<string> {
  stream.setEncoding("utf8");
  let rest = "";
  for await (const chunk of stream as AsyncIterable<string>) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    for (const part of parts) yield part.endsWith("\r") ? part.slice(0, -1) : part;
  }
  if (rest !== "") yield rest;
}

function parseJsonLine(path: string, line: string, number: number): string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ArgumentError("--input", `${path} line ${number} is not JSON (a .jsonl input holds one JSON string per line)`);
  }
  if (typeof value !== "string") throw new ArgumentError("--input", `${path} line ${number} is not a JSON string`);
  return value;
}

function readSentences(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (error) {
    throw cannotRead(path, error);
  }
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop();
  if (!path.endsWith(".jsonl")) return lines;
  return lines.map((line, index) => parseJsonLine(path, line, index + 1));
}
