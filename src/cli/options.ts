// Shared CLI option handling: integers with a one-line error naming the option, the --model option
// (the embedded default model when absent), and input sentences from arguments or --input FILE:
// one sentence per line, or one JSON string per line for a .jsonl file (so a sentence may hold a newline).

import { readFileSync } from "node:fs";
import { ArgumentError } from "../errors.ts";
import { ensureDefaultModel } from "../generator/default-model.ts";
import { SentenceTransformer } from "../models/sentence-transformer.ts";

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

export async function loadModelOption(values: OptionValues): Promise<SentenceTransformer> {
  const directory = typeof values.model === "string" ? values.model : await ensureDefaultModel();
  return SentenceTransformer.load(directory);
}

export function inputSentences(values: OptionValues, positionals: string[]): string[] {
  if (values.input !== undefined && positionals.length > 0) {
    throw new ArgumentError("--input", "give either --input FILE or sentences as arguments, not both");
  }
  const sentences = typeof values.input === "string" ? readSentences(values.input) : positionals;
  if (sentences.length === 0) throw new ArgumentError("SENTENCE", "nothing to do: give sentences as arguments or --input FILE");
  return sentences;
}

function readSentences(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (error) {
    throw new ArgumentError("--input", `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop();
  if (!path.endsWith(".jsonl")) return lines;
  return lines.map((line, index) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new ArgumentError("--input", `${path} line ${index + 1} is not JSON (a .jsonl input holds one JSON string per line)`);
    }
    if (typeof value !== "string") throw new ArgumentError("--input", `${path} line ${index + 1} is not a JSON string`);
    return value;
  });
}
