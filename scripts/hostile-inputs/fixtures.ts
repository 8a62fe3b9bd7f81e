// What several cases share, made once per run on first use (in the run's temporary folder): a tiny
// model written by the real `embedtune init-model`, a bigger one whose weights exceed 1 MB (for the
// disk-full cases), a small pair-score training set, a finished short training run (its checkpoint
// sizes the disk-full training case; its checkpoint-5 seeds the leftovers case) and the tiny model's
// embeddings of a few sentences (what the F16 and sharded variants must reproduce).

import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { exitLabel, firstMeaningfulLine, parseEmbeddings, projectRoot, run, type RunResult } from "./harness.ts";

export const TINY_FLAGS = ["--hidden", "32", "--layers", "1", "--heads", "2", "--intermediate", "64", "--vocab-size", "1500", "--seed", "1"];
/** Embedding embeddings 4000 × 64 float32 = 1 024 000 bytes alone; the whole model.safetensors is ≈ 1.2 MB. */
export const BIG_FLAGS = ["--hidden", "64", "--layers", "1", "--heads", "2", "--intermediate", "128", "--vocab-size", "4000", "--seed", "1"];
export const TINY_DIMENSION = 32;
export const SENTENCES = ["A man is playing a flute.", "hello world", "the quick brown fox jumps over the lazy dog near the river bank"];

export interface TrainOptions {
  maxSteps: number;
  saveSteps: number;
  learningRate?: string;
  extra?: string[];
}

function failed(what: string, result: RunResult): Error {
  return new Error(`fixture ${what} failed: exit ${exitLabel(result)}: ${firstMeaningfulLine(result.stderr).slice(0, 200)}`);
}

export class Fixtures {
  private readonly made = new Map<string, Promise<unknown>>();

  constructor(
    readonly root: string,
    readonly env: NodeJS.ProcessEnv,
  ) {
    mkdirSync(root, { recursive: true });
  }

  private once<T>(key: string, make: () => Promise<T>): Promise<T> {
    if (!this.made.has(key)) this.made.set(key, make());
    return this.made.get(key) as Promise<T>;
  }

  /** hidden 32, 1 layer, vocabulary 1500 (≈ 290 KB of weights). Do not modify it: copy it with copyTinyModel. */
  tinyModel(): Promise<string> {
    return this.once("tiny", async () => {
      const out = join(this.root, "tiny-model");
      const result = await run(["init-model", "--out", out, ...TINY_FLAGS], { env: this.env });
      if (result.code !== 0) throw failed("init-model (tiny)", result);
      return out;
    });
  }

  async copyTinyModel(target: string): Promise<string> {
    cpSync(await this.tinyModel(), target, { recursive: true });
    return target;
  }

  /** A model whose model.safetensors is larger than 1 MiB (so it cannot fit a 1 MB tmpfs). */
  bigModel(): Promise<string> {
    return this.once("big", async () => {
      const out = join(this.root, "big-model");
      const result = await run(["init-model", "--out", out, ...BIG_FLAGS], { env: this.env });
      if (result.code !== 0) throw failed("init-model (big)", result);
      const size = statSync(join(out, "model.safetensors")).size;
      if (size <= 1024 * 1024) throw new Error(`fixture big model: model.safetensors is only ${size} bytes, not more than 1 MiB`);
      return out;
    });
  }

  /** 400 rows of sentence1, sentence2, score from the project's corpus (adjacent lines 1, distant lines 0). */
  trainData(): Promise<string> {
    return this.once("train-data", async () => {
      const path = join(this.root, "train.parquet");
      const corpus = readFileSync(join(projectRoot, "data", "vocabulary-corpus.txt"), "utf8").split("\n").filter(Boolean);
      const sentence1: string[] = [];
      const sentence2: string[] = [];
      const score: number[] = [];
      for (let i = 0; i < 400; i++) {
        const index = 2 * i;
        const related = i % 2 === 0;
        sentence1.push(corpus[index % corpus.length]);
        sentence2.push(corpus[(related ? index + 1 : index + 301) % corpus.length]);
        score.push(related ? 1 : 0);
      }
      const { writeParquet } = await import("../../src/data/parquet.ts");
      writeParquet(path, { sentence1, sentence2, score });
      return path;
    });
  }

  /** `embedtune train` arguments on the tiny model and training set; every step logs a line with "loss" on stdout. */
  async trainArgs(output: string, options: TrainOptions): Promise<string[]> {
    const [model, data] = await Promise.all([this.tinyModel(), this.trainData()]);
    return [
      "train", "--model", model, "--train", data, "--output", output,
      "--max-steps", String(options.maxSteps), "--save-steps", String(options.saveSteps),
      "--batch-size", "8", "--learning-rate", options.learningRate ?? "1e-3", "--seed", "42", "--logging-steps", "1",
      ...(options.extra ?? []),
    ];
  }

  /** A finished run: --max-steps 10 --save-steps 5, so checkpoint-5, checkpoint-10 and final/. */
  trainedOutput(): Promise<string> {
    return this.once("trained", async () => {
      const out = join(this.root, "trained");
      const result = await run(await this.trainArgs(out, { maxSteps: 10, saveSteps: 5 }), { env: this.env, timeoutMs: 120_000 });
      if (result.code !== 0 || !existsSync(join(out, "checkpoint-5", "model.safetensors"))) throw failed("train (10 steps)", result);
      return out;
    });
  }

  /** The tiny model's embeddings of SENTENCES (by `embedtune encode`). */
  referenceEmbeddings(): Promise<number[][]> {
    return this.once("reference", async () => {
      const result = await run(["encode", "--model", await this.tinyModel(), ...SENTENCES], { env: this.env });
      if (result.code !== 0) throw failed("encode (reference embeddings)", result);
      return parseEmbeddings(result.stdout);
    });
  }
}
