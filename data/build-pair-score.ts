// Builds the pair-score dataset: reads and validates data/pair-score/pairs.tsv (hand-written sentence pairs with
// a similarity score in [0, 1]), shuffles it with seed 42 and splits it 80/10/10 into train/dev/test.parquet.
// The three parquet files are generated from pairs.tsv by this script: edit the TSV, then rerun it.
import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { DataLoadError } from "../src/data/errors.ts";
import { writeParquet } from "../src/data/parquet.ts";
import { createRandom } from "../src/util/random.ts";

interface Pair {
  sentence1: string;
  sentence2: string;
  score: number;
}

const HEADER = ["sentence1", "sentence2", "score"];
const SEED = 42;
const FOLDER = join(dirname(fileURLToPath(import.meta.url)), "pair-score");
const SOURCE = join(FOLDER, "pairs.tsv");

/** Parses and checks the TSV; any problem is a one-line DataLoadError naming the file and line. */
function parsePairs(text: string, file: string): Pair[] {
  const lines = text.split("\n").map((line) => line.replace(/\r$/, ""));
  if (lines.at(-1) === "") lines.pop();
  const fail = (line: number, detail: string): never => {
    throw new DataLoadError(file, `line ${line}: ${detail}`);
  };
  if (lines.length === 0) fail(1, "the file is empty (expected the header sentence1<TAB>sentence2<TAB>score)");
  if (lines[0] !== HEADER.join("\t")) fail(1, `the header must be ${HEADER.join("<TAB>")}, found ${JSON.stringify(lines[0])}`);
  const pairs: Pair[] = [];
  const seen = new Map<string, number>();
  for (let index = 1; index < lines.length; index++) {
    const lineNumber = index + 1;
    const fields = lines[index].split("\t");
    if (fields.length !== 3) fail(lineNumber, `expected 3 tab-separated fields, found ${fields.length}`);
    const [sentence1, sentence2, scoreText] = fields.map((field) => field.trim());
    if (sentence1 === "") fail(lineNumber, "sentence1 is empty");
    if (sentence2 === "") fail(lineNumber, "sentence2 is empty");
    const score = /^\d+(\.\d+)?$/.test(scoreText) ? Number(scoreText) : Number.NaN;
    if (!(score >= 0 && score <= 1)) fail(lineNumber, `score ${JSON.stringify(scoreText)} is not a number in [0, 1]`);
    const key = [sentence1, sentence2].map((sentence) => sentence.toLowerCase().replace(/\s+/g, " ")).sort().join("\t");
    const first = seen.get(key);
    if (first !== undefined) fail(lineNumber, `duplicate pair (same sentences as line ${first})`);
    seen.set(key, lineNumber);
    pairs.push({ sentence1, sentence2, score });
  }
  return pairs;
}

/** Fisher–Yates shuffle of a copy, driven by the project's seeded generator. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = createRandom(seed);
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}

function write(name: string, pairs: readonly Pair[]): void {
  const path = join(FOLDER, `${name}.parquet`);
  writeParquet(
    path,
    { sentence1: pairs.map((p) => p.sentence1), sentence2: pairs.map((p) => p.sentence2), score: pairs.map((p) => p.score) },
    { codec: "SNAPPY" },
  );
  console.log(`${relative(process.cwd(), path)}: ${pairs.length} rows`);
}

function main(): void {
  const pairs = shuffled(parsePairs(readFileSync(SOURCE, "utf8"), relative(process.cwd(), SOURCE)), SEED);
  const trainCount = Math.round(pairs.length * 0.8);
  const devCount = Math.round(pairs.length * 0.1);
  write("train", pairs.slice(0, trainCount));
  write("dev", pairs.slice(trainCount, trainCount + devCount));
  write("test", pairs.slice(trainCount + devCount));
}

try {
  main();
} catch (error) {
  console.error(error instanceof DataLoadError ? error.message : error);
  process.exitCode = 1;
}
