// Any REPL result as lines for a person: the kit's objects get their own view (a model as one line,
// data as tables, metrics as a two-column table and several metrics dicts side by side, embeddings as
// shape and first values, a trainer as its progress); an object holding some of them lists one line
// per key; anything else is inspected.

import { inspect } from "node:util";
import type { SentenceTransformerTrainer } from "../../src/index.ts";
import { formatNumber } from "./cell.ts";
import { isArrayOfRecords, isDanfoFrame, isDataset, isDatasetDict, isPlainObject, renderDanfoFrame, renderDataset, renderDatasetDict, renderRecords } from "./data.ts";
import { isEmbeddingMatrix, isLongVector, isTensor, renderEmbeddingMatrix, renderTensor, renderVector } from "./embeddings.ts";
import { isMetrics, isMetricsColumns, renderMetrics, renderMetricsColumns } from "./metrics.ts";
import { isSentenceTransformer, renderModelSummary } from "./model-summary.ts";

export interface RenderContext {
  /** Terminal width to fit tables and values into. */
  width: number;
  /** The tfjs backend's name, once the kit has chosen one. */
  tfjsBackend?: () => string | undefined;
}

export function renderValue(value: unknown, context: RenderContext): string[] {
  const { width } = context;
  if (isSentenceTransformer(value)) return [renderModelSummary(value, context.tfjsBackend?.())];
  if (isTrainer(value)) return [describeTrainer(value)];
  if (isDanfoFrame(value)) return renderDanfoFrame(value, width);
  if (isDataset(value)) return renderDataset(value, width);
  if (isDatasetDict(value)) return renderDatasetDict(value, width);
  if (isTensor(value)) return renderTensor(value, width);
  if (isEmbeddingMatrix(value)) return renderEmbeddingMatrix(value, width);
  if (isLongVector(value)) return renderVector(value, width);
  if (isArrayOfRecords(value)) return renderRecords(value, width);
  if (isMetrics(value)) return renderMetrics(value, width);
  if (isMetricsColumns(value)) return renderMetricsColumns(value, width);
  if (typeof value === "object" && value !== null && isPlainObject(value) && Object.values(value).some((entry) => oneLine(entry, context) !== undefined)) {
    return Object.entries(value).map(([key, entry]) => `${key}: ${oneLine(entry, context) ?? inspectCompact(entry)}`);
  }
  return inspect(value, { depth: 2, breakLength: Math.max(40, width), maxArrayLength: 20, maxStringLength: 2000 }).split("\n");
}

/** A one-line description of the kit's bigger objects, or undefined for anything else. */
function oneLine(value: unknown, context: RenderContext): string | undefined {
  if (isSentenceTransformer(value)) return renderModelSummary(value, context.tfjsBackend?.());
  if (isTrainer(value)) return describeTrainer(value);
  if (isDataset(value)) return `Dataset(${value.numRows} rows: ${value.columnNames.join(", ")})`;
  if (isDatasetDict(value)) return `DatasetDict(${value.splits.map((split) => `${split} ${value.get(split).numRows}`).join(", ")})`;
  if (isDanfoFrame(value)) return `${value.constructor.name}(${value.shape.join(" × ")})`;
  if (isTensor(value)) return `Tensor [${value.shape.join(", ")}] ${value.dtype}`;
  if (isEmbeddingMatrix(value)) return `number[][] ${value.length} × ${value[0].length}`;
  return undefined;
}

function isTrainer(value: unknown): value is SentenceTransformerTrainer {
  const candidate = value as Partial<SentenceTransformerTrainer> | null;
  return typeof candidate === "object" && candidate !== null && typeof candidate.stop === "function" && typeof candidate.state?.global_step === "number";
}

function describeTrainer(trainer: SentenceTransformerTrainer): string {
  const lastLoss = [...trainer.state.log_history].reverse().find((entry) => typeof entry.loss === "number")?.loss;
  return (
    `SentenceTransformerTrainer(step ${trainer.state.global_step}/${trainer.state.max_steps}, ${trainer.loss.name}` +
    `${lastLoss === undefined ? "" : `, last logged loss ${formatNumber(lastLoss)}`}, outputDir ${trainer.args.outputDir})`
  );
}

function inspectCompact(value: unknown): string {
  return inspect(value, { depth: 1, breakLength: Infinity, compact: true, maxArrayLength: 8 });
}
