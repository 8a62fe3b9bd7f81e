// A model family: everything about one config.json model_type that is not the same for all encoders —
// how its config reads (with the config class's defaults), its parameters and their names in real
// checkpoints, its tfjs forward and ONNX graphs (the Architecture the engines run), and how to make a
// random model of it. One folder per family under models/families/, one line per family in index.ts.

import type { Architecture, EncoderConfig } from "../../engines/architecture.ts";

/** Sizes of a random model (embedtune init-model --family …); `words` seed the family's tokenizer. */
export interface RandomModelSpec {
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  /** Longest token sequence the model takes (special tokens included). */
  maxSequenceLength: number;
  /** Texts (lines of a corpus) the tokenizer's vocabulary is learnt from. */
  words: string[];
  vocabSize: number;
  initializerRange: number;
  /** A ready vocabulary in id order (a vocab.txt's tokens), used instead of one learnt from `words` where the family's tokenizer can (BERT). */
  vocabulary?: string[];
}

/** A random model's config.json and tokenizer files (name → text); weights come from parameters(). */
export interface RandomModelFiles {
  config: Record<string, unknown>;
  tokenizerFiles: Map<string, string>;
}

export interface ModelFamily<C extends EncoderConfig = EncoderConfig> extends Architecture<C> {
  /** config.json's model_type. */
  readonly modelType: string;
  /**
   * config.json → the family's config: the config class's defaults where a key is absent (read the real
   * file: they differ from the checkpoints'), ModelLoadError(file, "…") naming the key for bad values.
   */
  parseConfig(raw: Record<string, unknown>, file: string): C;
  /** config.json as Hugging Face writes it for `config` (unknown keys kept as read, no remote code). */
  configJson(config: C): Record<string, unknown>;
  /** The config class's fields typed `float` (transformers 5 refuses an int there): written as 2.0, not 2. */
  readonly floatConfigKeys: readonly string[];
  /**
   * A stored tensor's parameter name (prefixes such as "bert.", "roberta.", "mpnet.", "model." removed,
   * old spellings mapped), or undefined for tensors the encoder does not use (pooler, LM heads,
   * position_ids buffers).
   */
  canonicalName(stored: string): string | undefined;
  /** Unused tensors written back on save (the pooler: part of the checkpoint, never trained). */
  keepsUnused(stored: string): boolean;
  /** The name a kept unused tensor is written back under (the model prefix removed); default: as stored. */
  savedName?(stored: string): string;
  randomModel(spec: RandomModelSpec): RandomModelFiles;
}
