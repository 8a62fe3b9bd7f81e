// What the benchmarks run on, generated once into the scratch folder (never into the project):
//   models/bge-small  initModel({ preset: "bge-small", vocab: bert-base-uncased vocab.txt }), random weights
//   models/tiny       initModel({ preset: "tiny" }) (vocabulary learnt from the project's corpus)
//   data/pairs-1m.parquet  1,000,000 (sentence1, sentence2, score) rows of ~60-character sentences
// STS-B rows come from ../shared/data/stsb. A stamp file per fixture holds the options it was made with,
// so a changed recipe regenerates it.

import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BERT_VOCAB, runNodeTask, scratchDir, scratchFile, seededShuffle, STSB_DIR } from "./common.ts";

export type ModelName = "bge-small" | "tiny";

export interface PairRow {
  sentence1: string;
  sentence2: string;
  score: number;
}

const MODEL_RECIPES: Record<ModelName, Record<string, unknown>> = {
  "bge-small": { preset: "bge-small", vocab: BERT_VOCAB, seed: 42 },
  tiny: { preset: "tiny", seed: 42 },
};

const PARQUET_RECIPE = { rows: 1_000_000, targetLength: 60, seed: 7, rowGroupSize: 100_000 };

export function stampMatches(file: string, recipe: unknown): boolean {
  return existsSync(file) && readFileSync(file, "utf8") === JSON.stringify(recipe);
}

/** The folder of a generated model, made on first use. */
export async function ensureModel(name: ModelName): Promise<string> {
  const directory = join(scratchDir("models"), name);
  const stamp = join(scratchDir("models"), `${name}.recipe.json`);
  if (!stampMatches(stamp, MODEL_RECIPES[name]) || !existsSync(join(directory, "model.safetensors"))) {
    await runNodeTask("fixture-model", { out: directory, recipe: MODEL_RECIPES[name] }, { label: `generating the ${name} model`, timeoutSeconds: 300 });
    writeFileSync(stamp, JSON.stringify(MODEL_RECIPES[name]));
  }
  return directory;
}

/** The 1M-row pair-score parquet, made on first use. */
export async function ensurePairsParquet(): Promise<{ path: string; bytes: number; generatedSeconds?: number }> {
  const path = scratchFile("data", "pairs-1m.parquet");
  const stamp = scratchFile("data", "pairs-1m.recipe.json");
  let generatedSeconds: number | undefined;
  if (!stampMatches(stamp, PARQUET_RECIPE) || !existsSync(path)) {
    const started = performance.now();
    const sentences = (await stsbRows("train")).flatMap((row) => [row.sentence1, row.sentence2]);
    await runNodeTask("fixture-parquet", { path, sentences, ...PARQUET_RECIPE }, { label: "writing the 1,000,000-row parquet (once)", timeoutSeconds: 600 });
    writeFileSync(stamp, JSON.stringify(PARQUET_RECIPE));
    generatedSeconds = (performance.now() - started) / 1000;
  }
  return { path, bytes: statSync(path).size, generatedSeconds };
}

export function stsbPath(split: "train" | "validation" | "test"): string {
  return join(STSB_DIR, `${split}.parquet`);
}

/** STS-B rows (score 0..1) read with embedtune's parquet reader (no tfjs needed). */
export async function stsbRows(split: "train" | "validation" | "test"): Promise<PairRow[]> {
  const { readParquetFile } = await import("../src/data/parquet.ts");
  const dataset = await readParquetFile(stsbPath(split));
  const [a, b, s] = ["sentence1", "sentence2", "score"].map((name) => dataset.column(name));
  return a.map((_, i) => ({ sentence1: String(a[i]), sentence2: String(b[i]), score: Number(s[i]) }));
}

/** `count` STS-B train pairs chosen by a fixed seed: the same rows for every engine and for PyTorch. */
export async function samplePairs(count: number, seed = 2026): Promise<PairRow[]> {
  return seededShuffle(await stsbRows("train"), seed).slice(0, count);
}

/** Distinct STS-B train sentences in a fixed shuffled order. */
export async function sampleSentences(count: number, seed = 1): Promise<string[]> {
  const unique = [...new Set((await stsbRows("train")).flatMap((row) => [row.sentence1, row.sentence2]))].sort();
  return seededShuffle(unique, seed).slice(0, count);
}

// ---------------------------------------------------------------- child-side tasks

export const fixtureTasks = {
  async "fixture-model"(input: { out: string; recipe: Record<string, unknown> }) {
    const { initModel } = await import("../src/index.ts");
    const result = await initModel({ ...(input.recipe as object), out: input.out });
    return { parameterCount: result.parameterCount, vocabSize: result.vocabSize };
  },

  async "fixture-parquet"(input: { path: string; sentences: string[]; rows: number; targetLength: number; seed: number; rowGroupSize: number }) {
    const { writeParquet } = await import("../src/index.ts");
    const words = [...new Set(input.sentences.flatMap((s) => s.toLowerCase().match(/[a-z']+/g) ?? []))];
    let state = input.seed >>> 0;
    const next = () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 4294967296;
    };
    const sentence = () => {
      let text = "";
      while (text.length < input.targetLength - 6) text += (text ? " " : "") + words[Math.floor(next() * words.length)];
      return text.charAt(0).toUpperCase() + text.slice(1) + ".";
    };
    const sentence1: string[] = new Array(input.rows);
    const sentence2: string[] = new Array(input.rows);
    const score = new Float64Array(input.rows);
    for (let i = 0; i < input.rows; i++) {
      sentence1[i] = sentence();
      sentence2[i] = sentence();
      score[i] = Math.round(next() * 500) / 500;
    }
    const meanLength = sentence1.reduce((sum, s) => sum + s.length, 0) / input.rows;
    writeParquet(input.path, { sentence1, sentence2, score }, { rowGroupSize: input.rowGroupSize });
    return { rows: input.rows, meanSentenceLength: meanLength };
  },
};
