// ModernBERT's OnnxArchitecture: the inference graph (weights as inputs, or as initializers for the export:
// input_ids + attention_mask → last_hidden_state, nothing else needed), the training forward (with dropout
// mask inputs dropout.embeddings, dropout.layer.{i}.{probabilities,attention,output}, only sites with
// p > 0, when dropout is on; no saved activations), the backward graph (which recomputes the forward from
// the same inputs; onnx-backward.ts: grad.<parameter> for every parameter but the token
// embeddings, and grad.embedding_sum [B, T, H], scattered by id in gradients(), row-sparse), and the masks, drawn with
// the same sizes and seeds as the tfjs forward.

import type { EncoderInputs, FloatFeed, OnnxArchitecture } from "../../../engines/architecture.ts";
import { HIDDEN_GRADIENT_INPUT, HIDDEN_OUTPUT } from "../../../engines/architecture.ts";
import { dropoutMask, embeddingDropoutSeed, layerDropoutSeed, siteDropoutSeed } from "../../../engines/dropout-masks.ts";
import { scatterRows, type Gradient } from "../../../engines/row-gradient.ts";
import { GraphBuilder, type Dimension } from "../../../engines/onnxruntime/graph-builder.ts";
import { isGlobal, type ModernBertConfig } from "./config.ts";
import { buildModernBertBackward } from "./onnx-backward.ts";
import { BATCH, buildModernBertForward, ModernBertOps, SEQUENCE, type DropoutMaskNames } from "./onnx-forward.ts";
import { modernBertParameters, TOKEN_EMBEDDINGS } from "./parameters.ts";
import { blocking } from "./window.ts";

export const EMBEDDING_SUM_GRADIENT_OUTPUT = "grad.embedding_sum";

export function gradientOutputName(parameter: string): string {
  return `grad.${parameter}`;
}

function layoutShape(torchShape: number[], linear: boolean): number[] {
  return linear ? [torchShape[1], torchShape[0]] : torchShape;
}

interface MaskSpec {
  name: string;
  probability: number;
  /** Symbolic shape for the graph input. */
  dims: Dimension[];
  size: (batch: number, seq: number) => number[];
  seed: (stepSeed: number) => number;
}

/** The dropout sites with p > 0, in forward order. */
function maskSpecs(config: ModernBertConfig): MaskSpec[] {
  const H = config.hiddenSize;
  const heads = config.numAttentionHeads;
  const specs: MaskSpec[] = [];
  if (config.embeddingDropout > 0) {
    specs.push({ name: "dropout.embeddings", probability: config.embeddingDropout, dims: [BATCH, SEQUENCE, H], size: (B, T) => [B, T, H], seed: embeddingDropoutSeed });
  }
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const seed = (site: "probabilities" | "attention" | "output") => (step: number) => siteDropoutSeed(layerDropoutSeed(step, i), site);
    if (config.attentionDropout > 0) {
      const global = isGlobal(config, i);
      const b = Math.max(1, Math.floor(config.localAttention / 2));
      specs.push({
        name: `dropout.layer.${i}.probabilities`,
        probability: config.attentionDropout,
        dims: global ? [BATCH, heads, SEQUENCE, SEQUENCE] : [BATCH, heads, "blocks", b, 3 * b],
        size: (B, T) => (global ? [B, heads, T, T] : [B, heads, blocking(config, T).blocks, b, 3 * b]),
        seed: seed("probabilities"),
      });
      specs.push({ name: `dropout.layer.${i}.attention`, probability: config.attentionDropout, dims: [BATCH, SEQUENCE, H], size: (B, T) => [B, T, H], seed: seed("attention") });
    }
    if (config.mlpDropout > 0) {
      const I = config.intermediateSize;
      specs.push({ name: `dropout.layer.${i}.output`, probability: config.mlpDropout, dims: [BATCH, SEQUENCE, I], size: (B, T) => [B, T, I], seed: seed("output") });
    }
  }
  return specs;
}

function maskNames(config: ModernBertConfig, withMasks: boolean): DropoutMaskNames {
  const present = new Set(withMasks ? maskSpecs(config).map((spec) => spec.name) : []);
  const named = (name: string) => (present.has(name) ? name : undefined);
  return {
    embeddings: named("dropout.embeddings"),
    layers: Array.from({ length: config.numHiddenLayers }, (_, i) => ({
      probabilities: named(`dropout.layer.${i}.probabilities`),
      attention: named(`dropout.layer.${i}.attention`),
      output: named(`dropout.layer.${i}.output`),
    })),
  };
}

function declareTokens(g: GraphBuilder): { inputIds: string; attentionMask: string } {
  return { inputIds: g.input("input_ids", "int64", [BATCH, SEQUENCE]), attentionMask: g.input("attention_mask", "int64", [BATCH, SEQUENCE]) };
}

function declareTrainingInputs(g: GraphBuilder, config: ModernBertConfig, dropout: boolean) {
  const tokens = declareTokens(g);
  for (const spec of modernBertParameters(config)) g.input(spec.name, "float", layoutShape(spec.torchShape, spec.linear));
  if (dropout) for (const spec of maskSpecs(config)) g.input(spec.name, "float", spec.dims);
  return tokens;
}

const byName = (name: string) => name;

export const modernBertOnnx: OnnxArchitecture<ModernBertConfig> = {
  usesTokenTypeIds: false,

  buildEncoder(config, weights) {
    const g = new GraphBuilder("embedtune_modernbert_encoder");
    const { inputIds, attentionMask } = declareTokens(g);
    for (const spec of modernBertParameters(config)) {
      const shape = layoutShape(spec.torchShape, spec.linear);
      if (weights) {
        const values = weights.get(spec.name);
        if (!values) throw new Error(`ModernBERT weight ${spec.name} is missing`);
        g.initializer(spec.name, values, shape);
      } else {
        g.input(spec.name, "float", shape);
      }
    }
    const forward = buildModernBertForward(new ModernBertOps(g, config), inputIds, attentionMask, byName, maskNames(config, false));
    g.output(forward.hidden, "float", [BATCH, SEQUENCE, config.hiddenSize], HIDDEN_OUTPUT);
    return g.build();
  },

  // The training forward saves nothing: ModernBERT's backward recomputes the forward. Measured at the base
  // shape (2 × 512 tokens): saving the activations (554 MB a column, attention recomputed) made the step 28 %
  // slower (12.7 vs 9.9 s) — copying them out of onnxruntime-node and freeing them costs more than the
  // forward's matrix products — and 1.5 GB larger.
  buildTrainingForward(config, { dropout }) {
    const g = new GraphBuilder("embedtune_modernbert_training_forward");
    const { inputIds, attentionMask } = declareTrainingInputs(g, config, dropout);
    const forward = buildModernBertForward(new ModernBertOps(g, config), inputIds, attentionMask, byName, maskNames(config, dropout));
    g.output(forward.hidden, "float", [BATCH, SEQUENCE, config.hiddenSize], HIDDEN_OUTPUT);
    return g.build();
  },

  buildTrainingBackward(config, options) {
    const g = new GraphBuilder("embedtune_modernbert_training_backward");
    const { inputIds, attentionMask } = declareTrainingInputs(g, config, options.dropout);
    const dHidden = g.input(HIDDEN_GRADIENT_INPUT, "float", [BATCH, SEQUENCE, config.hiddenSize]);
    const ops = new ModernBertOps(g, config);
    const masks = maskNames(config, options.dropout);
    const forward = buildModernBertForward(ops, inputIds, attentionMask, byName, masks);
    const gradients = buildModernBertBackward(ops, forward, dHidden, byName, masks, gradientOutputName);
    for (const spec of modernBertParameters(config)) {
      if (spec.name === TOKEN_EMBEDDINGS) continue;
      const value = gradients.parameters.get(spec.name);
      if (!value) throw new Error(`the backward graph has no gradient for ${spec.name}`);
      g.output(value, "float", layoutShape(spec.torchShape, spec.linear), gradientOutputName(spec.name));
    }
    g.output(gradients.embeddingSum, "float", [BATCH, SEQUENCE, config.hiddenSize], EMBEDDING_SUM_GRADIENT_OUTPUT);
    return g.build();
  },

  dropoutMasks(config, batchSize, seqLength, seed) {
    const feeds = new Map<string, FloatFeed>();
    for (const spec of maskSpecs(config)) {
      const shape = spec.size(batchSize, seqLength);
      feeds.set(spec.name, { values: dropoutMask(shape.reduce((a, b) => a * b, 1), spec.probability, spec.seed(seed)), shape });
    }
    return feeds;
  },

  gradients(config, inputs: EncoderInputs, outputs) {
    const gradients = new Map<string, Gradient>();
    for (const spec of modernBertParameters(config)) {
      if (spec.name === TOKEN_EMBEDDINGS) continue;
      const value = outputs.get(gradientOutputName(spec.name));
      if (!value) throw new Error(`the backward graph returned no ${gradientOutputName(spec.name)}`);
      gradients.set(spec.name, value);
    }
    const sum = outputs.get(EMBEDDING_SUM_GRADIENT_OUTPUT);
    if (!sum) throw new Error(`the backward graph returned no ${EMBEDDING_SUM_GRADIENT_OUTPUT}`);
    gradients.set(TOKEN_EMBEDDINGS, scatterRows(inputs.inputIds, sum, config.vocabSize, config.hiddenSize, "token id"));
    return gradients;
  },
};
