// A SentenceTransformer as one line: architecture and sizes, embedding dimension, pooling (and
// normalisation), maximum sequence length, and what runs it (the engine, and the tfjs backend when
// tfjs runs the encoder).

import type { SentenceTransformer } from "../../src/index.ts";

export function isSentenceTransformer(value: unknown): value is SentenceTransformer {
  const candidate = value as Partial<SentenceTransformer> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate.getSentenceEmbeddingDimension === "function" &&
    typeof candidate.transformer?.config?.hiddenSize === "number"
  );
}

/** `tfjsBackend` names the tfjs backend ("wasm", "tensorflow", "cpu"), shown when tfjs runs the encoder. */
export function renderModelSummary(model: SentenceTransformer, tfjsBackend?: string): string {
  const config = model.transformer.config;
  const architecture = config.modelType;
  const runner = model.engine === "onnxruntime" ? `onnxruntime (${model.device.startsWith("cuda") ? "cuda" : "cpu"})` : `tfjs (${tfjsBackend ?? "backend not chosen yet"})`;
  return [
    "SentenceTransformer",
    `${architecture}: ${config.numHiddenLayers} layers, hidden ${config.hiddenSize}, ${config.numAttentionHeads} heads`,
    `dim ${model.getSentenceEmbeddingDimension()}`,
    model.modules.map((module) => module.summary()).join(" + "),
    `max_seq_length ${model.maxSeqLength}`,
    runner,
  ].join(" · ");
}
