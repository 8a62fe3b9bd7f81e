// An embedtune loss as sentence-transformers builds it. describeLoss(loss) records a loss as plain JSON
// (the run record keeps it, so `export-script --run` can rebuild the call): the class name, its
// constructor parameters under their Python names (get_config_dict()'s, plus what that leaves out:
// SoftmaxLoss's sizes), a wrapped loss (MatryoshkaLoss's) and a guide model (GISTEmbedLoss's).
// pythonLoss(description) writes `losses.<Class>(model, …)` with util functions, enum members and
// torch modules as code. A loss sentence-transformers has no equivalent for, or one whose behaviour
// the script cannot carry (a custom cosScoreTransformation), is one ArgumentError line.

import { ArgumentError } from "../errors.ts";
import { CosineSimilarityLoss } from "../losses/cosine-similarity.ts";
import type { Loss } from "../losses/loss.ts";
import type { MatryoshkaLoss } from "../losses/matryoshka.ts";
import type { SoftmaxLoss } from "../losses/softmax.ts";
import type { GISTEmbedLoss } from "../losses/gist-embed.ts";
import { loadedModelReference, type ModelReference } from "./model-reference.ts";
import { code, pythonCall, type PythonCode } from "./python.ts";

export interface LossDescription {
  /** sentence-transformers' class name. */
  name: string;
  /** Constructor keywords under their Python names (JSON values; util functions, enums, torch modules by name). */
  config: Record<string, unknown>;
  /** The loss a modifier wraps (MatryoshkaLoss's `loss`). */
  inner?: LossDescription;
  /** GISTEmbedLoss's guide model. */
  guide?: ModelReference;
}

/** The losses of sentence-transformers embedtune has, under the same class names. */
export const PYTHON_LOSSES = new Set([
  "CoSENTLoss",
  "AnglELoss",
  "CosineSimilarityLoss",
  "MultipleNegativesRankingLoss",
  "MultipleNegativesSymmetricRankingLoss",
  "CachedMultipleNegativesRankingLoss",
  "CachedMultipleNegativesSymmetricRankingLoss",
  "ContrastiveLoss",
  "OnlineContrastiveLoss",
  "TripletLoss",
  "SoftmaxLoss",
  "MatryoshkaLoss",
  "GISTEmbedLoss",
  "CachedGISTEmbedLoss",
]);

function noPythonLoss(name: string): ArgumentError {
  return new ArgumentError("loss", `${name} has no sentence-transformers equivalent the script can use (it knows ${[...PYTHON_LOSSES].join(", ")})`);
}

const IDENTITY_TRANSFORMATION = new CosineSimilarityLoss(undefined).cosScoreTransformation.toString();

export function describeLoss(loss: Loss): LossDescription {
  const name = loss.name;
  if (!PYTHON_LOSSES.has(name)) {
    throw noPythonLoss(name);
  }
  const config = { ...loss.getConfigDict() };
  if (name === "CosineSimilarityLoss" && (loss as CosineSimilarityLoss).cosScoreTransformation.toString() !== IDENTITY_TRANSFORMATION) {
    throw new ArgumentError("cosScoreTransformation", "is a JavaScript function, which a Python script cannot carry: write its torch module into train.py by hand, or train without it");
  }
  if (name === "SoftmaxLoss") {
    const softmax = loss as SoftmaxLoss;
    return {
      name,
      config: {
        embedding_dimension: softmax.sentenceEmbeddingDimension, // sentence-transformers 6 renamed sentence_embedding_dimension
        num_labels: softmax.numLabels,
        concatenation_sent_rep: softmax.concatenationSentRep,
        concatenation_sent_difference: softmax.concatenationSentDifference,
        concatenation_sent_multiplication: softmax.concatenationSentMultiplication,
      },
    };
  }
  if (name === "MatryoshkaLoss") {
    delete config.loss;
    return { name, config, inner: describeLoss((loss as MatryoshkaLoss).loss) };
  }
  if (name === "GISTEmbedLoss" || name === "CachedGISTEmbedLoss") {
    delete config.guide;
    return { name, config, guide: loadedModelReference((loss as GISTEmbedLoss).guide, "guide") };
  }
  return { name, config };
}

/** What a value of a config key is in Python. */
function pythonValue(key: string, value: unknown): unknown {
  if (key === "similarity_fct") return code(`util.${String(value)}`);
  if (key === "distance_metric") return code(`losses.${String(value)}`);
  // "torch.nn.modules.loss.MSELoss" → torch.nn.MSELoss()
  if (key === "loss_fct") return code(`torch.nn.${String(value).split(".").at(-1)}()`);
  return value;
}

export interface PythonLoss {
  expression: string;
  /** Whether the expression uses torch (a torch.nn loss function). */
  usesTorch: boolean;
  /** Lines the script's comments carry: where Python will not match embedtune step for step. */
  notes: string[];
}

/** `losses.CoSENTLoss(model, scale=20, similarity_fct=util.pairwise_cos_sim)`; guides become SentenceTransformer(...) via `modelExpression`. */
export function pythonLoss(description: LossDescription, modelExpression: (reference: ModelReference) => string, indent = ""): PythonLoss {
  if (!PYTHON_LOSSES.has(description.name)) {
    throw noPythonLoss(description.name);
  }
  const notes: string[] = [];
  const keywords: Record<string, unknown | PythonCode> = {};
  let usesTorch = false;
  if (description.guide) keywords.guide = code(modelExpression(description.guide));
  if (description.inner) {
    const inner = pythonLoss(description.inner, modelExpression, `${indent}    `);
    keywords.loss = code(inner.expression);
    usesTorch ||= inner.usesTorch;
    notes.push(...inner.notes);
  }
  for (const [key, value] of Object.entries(description.config)) {
    // embedtune trains on one device: the default (False) is left to the script (README.md says when to set it).
    if (key === "gather_across_devices" && value === false) continue;
    if (key === "loss_fct") usesTorch = true;
    keywords[key] = pythonValue(key, value);
  }
  if (description.name === "SoftmaxLoss") notes.push("SoftmaxLoss: torch initialises the classifier with its own random numbers (embedtune draws the same distribution from its seed)");
  if (description.name === "MatryoshkaLoss" && Number(description.config.n_dims_per_step) > 0) {
    notes.push("MatryoshkaLoss: Python's random.sample picks the dims of each step (embedtune draws them from its own seeded generator)");
  }
  return { expression: pythonCall(`losses.${description.name}`, ["model"], keywords, indent), usesTorch, notes };
}
