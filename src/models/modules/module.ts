// The protocol of a module after the Transformer (sentence-transformers' Module): it maps the features
// {token embeddings [B,T,H], attention mask [B,T], prompt length, the previous module's sentence
// embedding [B,D_in]} to a sentence embedding [B,D_out] with tfjs ops only (so tf autodiff reaches its
// variables), names its trainable variables as ST saves them (torch layout), writes its own folder
// (`save(folder)`, as ST's module.save), and describes itself as ST's repr does ("Dense({...})").

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type * as tf from "@tensorflow/tfjs";

export interface ModuleFeatures {
  tokenEmbeddings: tf.Tensor3D;
  attentionMask: tf.Tensor2D;
  /** Token count of the prompt that starts every row (Pooling with include_prompt false skips it). */
  promptLength?: number;
  /** The previous module's output; undefined for the first module (Pooling). */
  sentenceEmbedding?: tf.Tensor2D;
}

export interface SentenceModule {
  /** sentence-transformers' class name ("Pooling", "Dense", "Normalize"): the folder is `${idx}_${className}`. */
  readonly className: string;
  readonly outputDimension: number;
  forward(features: ModuleFeatures): tf.Tensor2D;
  /** Trainable variables by their name in the module's model.safetensors (empty for Pooling, Normalize). */
  trainableParameters(): Map<string, tf.Variable>;
  /** Writes the module's files into `folder` (an existing, empty folder), as sentence-transformers does. */
  save(folder: string): void;
  /** sentence-transformers' repr of the module, as the model card's architecture shows it. */
  describe(): string;
  /** A few words for one-line summaries ("pooling mean", "dense 768→512 tanh", "normalize"). */
  summary(): string;
  dispose(): void;
}

/** The sentence embedding a module after the first one reads; a missing one is a wiring bug. */
export function sentenceEmbeddingOf(features: ModuleFeatures, className: string): tf.Tensor2D {
  if (features.sentenceEmbedding === undefined) throw new Error(`${className} needs a sentence embedding: a Pooling module must come before it`);
  return features.sentenceEmbedding;
}

/** A module's config.json as ST's save_config writes it (json.dump with indent 4, no final newline). */
export function writeModuleConfig(folder: string, config: Record<string, unknown>): void {
  writeFileSync(join(folder, "config.json"), JSON.stringify(config, null, 4));
}
