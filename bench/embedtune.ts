// Child-side helpers: load a model on a given engine (Unavailable when that engine does not load),
// build a pair-score Dataset, run the trainer with the benchmark's arguments and time its "step"
// events, and sample memory. Imported only inside bench/child.ts processes (it pulls in embedtune).

import { rmSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import {
  CoSENTLoss,
  Dataset,
  SentenceTransformer,
  SentenceTransformerTrainer,
  SentenceTransformerTrainingArguments,
  type StepEvent,
} from "../src/index.ts";
import { scratchDir, Unavailable } from "./common.ts";
import type { PairRow } from "./fixtures.ts";

export type EngineName = "onnxruntime" | "tfjs";
export const ENGINES: EngineName[] = ["onnxruntime", "tfjs"];
export const ENGINE_UNAVAILABLE = "n/a (engine unavailable)";

/** The model on `engine`, or Unavailable when the engine cannot run it here. */
export async function loadModel(directory: string, engine: EngineName): Promise<SentenceTransformer> {
  let model: SentenceTransformer;
  try {
    model = await SentenceTransformer.load(directory, { engine, quiet: true });
  } catch (error) {
    if (engine === "onnxruntime") throw new Unavailable(`${ENGINE_UNAVAILABLE}: ${(error as Error).message.split("\n")[0].slice(0, 120)}`);
    throw error;
  }
  const actual = (model as { engine?: string }).engine ?? "tfjs";
  if (actual !== engine) {
    model.dispose();
    throw new Unavailable(ENGINE_UNAVAILABLE);
  }
  return model;
}

export function engineProvider(model: SentenceTransformer): string | undefined {
  return (model.encoder as { provider?: string }).provider;
}

export function pairDataset(rows: readonly PairRow[]): Dataset {
  return Dataset.fromColumns({
    sentence1: rows.map((row) => row.sentence1),
    sentence2: rows.map((row) => row.sentence2),
    score: rows.map((row) => row.score),
  });
}

export interface TrainRun {
  /** Seconds per optimizer step, from train_begin / the previous step event to this one. */
  stepSeconds: number[];
  /** Process CPU seconds (user + system, every thread) per step, measured like stepSeconds. */
  stepCpuSeconds: number[];
  /** trainer.train() wall and CPU seconds, without the time spent in onStep callbacks. */
  wallSeconds: number;
  cpuSeconds: number;
  losses: number[];
  trainRuntime: number;
}

export interface TrainOptions {
  batchSize: number;
  maxSteps?: number;
  numTrainEpochs?: number;
  learningRate?: number;
  onStep?: (event: StepEvent) => void;
  onTrainBegin?: () => void;
}

/** CoSENT + AdamW (weight decay 0.01, warmup 10 %, clipping 1.0) through SentenceTransformerTrainer.train(). */
export async function trainModel(model: SentenceTransformer, dataset: Dataset, options: TrainOptions): Promise<TrainRun> {
  const outputDir = scratchDir("trainer-output", String(process.pid));
  const args = new SentenceTransformerTrainingArguments({
    outputDir,
    perDeviceTrainBatchSize: options.batchSize,
    maxSteps: options.maxSteps ?? -1,
    numTrainEpochs: options.numTrainEpochs ?? 1,
    learningRate: options.learningRate ?? 2e-5,
    weightDecay: 0.01,
    warmupRatio: 0.1,
    evalStrategy: "no",
    saveStrategy: "no",
    loggingStrategy: "no",
    disableTqdm: true,
    seed: 42,
  });
  const trainer = new SentenceTransformerTrainer({ model, args, trainDataset: dataset, loss: new CoSENTLoss(model) });
  const stepSeconds: number[] = [];
  const stepCpuSeconds: number[] = [];
  const losses: number[] = [];
  let last = 0;
  let lastCpu = 0;
  let excludedCpu = 0;
  let excludedWall = 0;
  trainer.on("train_begin", () => {
    options.onTrainBegin?.();
    last = performance.now();
    lastCpu = cpuSeconds();
  });
  trainer.on("step", (event) => {
    const now = performance.now();
    const cpu = cpuSeconds();
    stepSeconds.push((now - last) / 1000);
    stepCpuSeconds.push(cpu - lastCpu);
    losses.push(event.loss);
    options.onStep?.(event);
    last = performance.now();
    lastCpu = cpuSeconds();
    excludedWall += (last - now) / 1000;
    excludedCpu += lastCpu - cpu;
  });
  const started = performance.now();
  const startedCpu = cpuSeconds();
  try {
    const output = await trainer.train();
    return {
      stepSeconds,
      stepCpuSeconds,
      losses,
      wallSeconds: (performance.now() - started) / 1000 - excludedWall,
      cpuSeconds: cpuSeconds() - startedCpu - excludedCpu,
      trainRuntime: output.metrics.train_runtime,
    };
  } finally {
    rmSync(outputDir, { recursive: true, force: true });
  }
}

/** User + system CPU seconds of this process so far (all threads). */
export function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

export interface MemorySample {
  rssMB: number;
  heapUsedMB: number;
  externalMB: number;
  arrayBuffersMB: number;
  numTensors: number;
  tfBytesMB: number;
}

const MB = 1024 * 1024;

export function memorySample(collect = true): MemorySample {
  if (collect) (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  const tfMemory = tf.memory();
  return {
    rssMB: usage.rss / MB,
    heapUsedMB: usage.heapUsed / MB,
    externalMB: usage.external / MB,
    arrayBuffersMB: usage.arrayBuffers / MB,
    numTensors: tfMemory.numTensors,
    tfBytesMB: tfMemory.numBytes / MB,
  };
}

/** Peak resident set size of this process so far, in MB. */
export function peakRssMB(): number {
  return (process.resourceUsage().maxRSS * 1024) / MB;
}
