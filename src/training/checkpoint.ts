// Checkpoints as Hugging Face's Trainer lays them out: `{outputDir}/checkpoint-{step}/` holds the
// model in the sentence-transformers layout, `optimizer.safetensors` (AdamW moments, flat, in the
// encoder's own layout: kernels as [in, out]), `loss.safetensors` (a loss's own weights, if any),
// `trainer_state.json` (Hugging Face's field names), `training_args.json` and `embedtune_run.json` (the
// run configuration and a hash of the saved weights, run-configuration.ts). Written atomically.
// Rotation keeps the newest `saveTotalLimit` checkpoints of the run's own configuration, never deletes
// the best one or the one just saved, and leaves other runs' checkpoints alone.

import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ArgumentError, ModelLoadError } from "../errors.ts";
import { readJsonFile, writeFolderAtomically, writeJsonFile } from "../io/model-folder.ts";
import { readSafetensors, toFloat32, writeSafetensors } from "../io/safetensors.ts";
import type { Loss } from "../losses/loss.ts";
import type { SentenceTransformer } from "../models/sentence-transformer.ts";
import type { AdamW, NamedParameter } from "./adamw.ts";
import { weightsHash, writeRunConfiguration, type RunConfiguration } from "./run-configuration.ts";

/** Hugging Face's TrainerState, with its field names. */
export interface TrainerState {
  global_step: number;
  epoch: number;
  max_steps: number;
  num_train_epochs: number;
  logging_steps: number;
  eval_steps: number | null;
  save_steps: number;
  train_batch_size: number;
  log_history: Record<string, number>[];
  best_metric: number | null;
  best_model_checkpoint: string | null;
  total_flos: number;
  is_world_process_zero: boolean;
}

const CHECKPOINT = /^checkpoint-(\d+)$/;

export function checkpointDirectory(outputDir: string, step: number): string {
  return join(outputDir, `checkpoint-${step}`);
}

/** Checkpoint folders in outputDir, oldest (lowest step) first. */
export function listCheckpoints(outputDir: string): string[] {
  if (!existsSync(outputDir)) return [];
  return readdirSync(outputDir)
    .filter((name) => CHECKPOINT.test(name) && existsSync(join(outputDir, name, "trainer_state.json")))
    .sort((a, b) => Number(CHECKPOINT.exec(a)![1]) - Number(CHECKPOINT.exec(b)![1]))
    .map((name) => join(outputDir, name));
}

export async function saveCheckpoint(
  directory: string,
  parts: { model: SentenceTransformer; loss: Loss; optimizer: AdamW; state: TrainerState; args: object; run: RunConfiguration },
): Promise<void> {
  await writeFolderAtomically(directory, (temporary) => {
    parts.model.writeFiles(temporary);
    const moments = [...parts.optimizer.state()].flatMap(([name, { first, second }]) => [
      { name: `${name}.exp_avg`, shape: [first.length], values: first },
      { name: `${name}.exp_avg_sq`, shape: [second.length], values: second },
    ]);
    writeSafetensors(join(temporary, "optimizer.safetensors"), moments, { step: String(parts.optimizer.step) });
    const lossWeights = parts.loss.trainableParameters ?? [];
    if (lossWeights.length > 0) {
      writeSafetensors(
        join(temporary, "loss.safetensors"),
        lossWeights.map(({ name, tensor }) => ({ name, shape: tensor.shape, values: tensor.dataSync() as Float32Array })),
      );
    }
    writeJsonFile(join(temporary, "trainer_state.json"), parts.state);
    writeFileSync(join(temporary, "training_args.json"), `${JSON.stringify(parts.args, null, 2)}\n`);
    writeRunConfiguration(temporary, { ...parts.run, savedWeights: weightsHash(parts.optimizer.parameters) });
  });
}

/**
 * About how many bytes a checkpoint takes: the newest one's size when there is one, else the weights
 * and AdamW's two moments (4 bytes each) plus the tokenizer and configuration files.
 */
export function estimateCheckpointBytes(outputDir: string, parameters: NamedParameter[]): number {
  const latest = listCheckpoints(outputDir).at(-1);
  if (latest) {
    try {
      return folderBytes(latest);
    } catch {
      // fall back to the estimate
    }
  }
  return parameters.reduce((sum, { tensor }) => sum + tensor.size, 0) * 4 * 3 + 1e6;
}

function folderBytes(directory: string): number {
  let total = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    total += entry.isDirectory() ? folderBytes(path) : statSync(path).size;
  }
  return total;
}

/** The trainer state a checkpoint holds (an ArgumentError naming `argument` when it holds none). */
export function readTrainerState(directory: string, argument = "resumeFromCheckpoint"): TrainerState {
  if (!existsSync(join(directory, "trainer_state.json"))) {
    throw new ArgumentError(argument, `${directory} is not a checkpoint (no trainer_state.json)`);
  }
  return readJsonFile(join(directory, "trainer_state.json")) as TrainerState;
}

/** Restores model weights, loss weights and optimizer state; returns the trainer state. */
export function loadCheckpoint(directory: string, parts: { model: SentenceTransformer; loss: Loss; optimizer: AdamW }): TrainerState {
  const state = readTrainerState(directory);
  parts.model.loadWeightsFrom(directory);
  const lossWeights = parts.loss.trainableParameters ?? [];
  if (lossWeights.length > 0) assignFrom(join(directory, "loss.safetensors"), lossWeights.map(({ name, tensor }) => [name, tensor]));
  const optimizerPath = join(directory, "optimizer.safetensors");
  const file = readSafetensors(optimizerPath);
  parts.optimizer.step = Number(file.metadata.step ?? 0);
  for (const { name, tensor } of parts.optimizer.parameters) {
    if (!file.tensors.has(`${name}.exp_avg`)) continue;
    const { first, second } = parts.optimizer.momentsOf(name, tensor);
    for (const [suffix, target] of [["exp_avg", first], ["exp_avg_sq", second]] as const) {
      const values = toFloat32(file.tensors.get(`${name}.${suffix}`)!, optimizerPath);
      if (values.length !== target.length) throw new ModelLoadError(optimizerPath, `tensor ${name}.${suffix} has ${values.length} values, expected ${target.length}`);
      target.set(values);
    }
  }
  return state;
}

function assignFrom(path: string, targets: [string, tf.Variable][]): void {
  const file = readSafetensors(path);
  for (const [name, variable] of targets) {
    const entry = file.tensors.get(name);
    if (!entry || entry.shape.join() !== variable.shape.join()) throw new ModelLoadError(path, `tensor ${name} is missing or has another shape`);
    tf.tidy(() => variable.assign(tf.tensor(toFloat32(entry, path), variable.shape)));
  }
}

/**
 * Deletes the oldest of the run's own checkpoints (`isOwn`) beyond `limit`, never one of `keep` (the
 * best one, the one just saved); other runs' checkpoints are neither counted nor deleted.
 */
export function rotateCheckpoints(outputDir: string, limit: number | undefined, keep: readonly (string | null)[], isOwn: (checkpoint: string) => boolean): void {
  if (limit === undefined) return;
  const own = listCheckpoints(outputDir).filter(isOwn);
  let excess = own.length - limit;
  // Hugging Face too keeps the newest checkpoint even when the best one occupies the only slot.
  for (const path of own.filter((checkpoint) => !keep.includes(checkpoint))) {
    if (excess <= 0) break;
    rmSync(path, { recursive: true, force: true });
    excess -= 1;
  }
}
