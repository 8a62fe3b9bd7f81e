// Batch samplers as sentence-transformers names them (BatchSamplers):
//   BATCH_SAMPLER:   a seeded random permutation cut into batches (torch BatchSampler over RandomSampler)
//   NO_DUPLICATES:   walks a random permutation and fills each batch greedily, skipping a row whose
//                    any text value is already in the batch (label columns ignored); skipped rows stay
//                    for later batches; a batch that cannot be filled is yielded short (unless dropLast)
//   GROUP_BY_LABEL:  batches of rows sharing labels, at least 2 per label (batch size must be even)
// Every epoch draws its permutation from (seed, epoch), so a resumed run sees the same batches.

import { ArgumentError } from "../errors.ts";
import { deriveSeed, randomPermutation } from "../util/random.ts";

export const BatchSamplers = {
  BATCH_SAMPLER: "batch_sampler",
  NO_DUPLICATES: "no_duplicates",
  GROUP_BY_LABEL: "group_by_label",
} as const;
export type BatchSampler = (typeof BatchSamplers)[keyof typeof BatchSamplers];

/** What a sampler needs of a dataset: its size and its columns' values. */
export interface SampledData {
  readonly numRows: number;
  readonly columnNames: string[];
  column(name: string): unknown[];
}

export interface SamplerOptions {
  batchSize: number;
  dropLast: boolean;
  seed: number;
  /** Columns holding labels (ignored by NO_DUPLICATES, grouped by GROUP_BY_LABEL). */
  labelColumns: string[];
}

/** The nominal number of batches per epoch (torch's len(batch_sampler)). */
export function nominalBatchCount(rows: number, options: Pick<SamplerOptions, "batchSize" | "dropLast">): number {
  return options.dropLast ? Math.floor(rows / options.batchSize) : Math.ceil(rows / options.batchSize);
}

/** The batches (row indices) of one epoch. */
export function epochBatches(kind: BatchSampler, data: SampledData, options: SamplerOptions, epoch: number): number[][] {
  const order = randomPermutation(data.numRows, deriveSeed(options.seed, epoch));
  switch (kind) {
    case "batch_sampler":
      return chunk(order, options);
    case "no_duplicates":
      return noDuplicateBatches(order, data, options);
    case "group_by_label":
      return groupByLabelBatches(order, data, options, epoch);
  }
}

function chunk(order: number[], options: SamplerOptions): number[][] {
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += options.batchSize) {
    const batch = order.slice(start, start + options.batchSize);
    if (batch.length === options.batchSize || !options.dropLast) batches.push(batch);
  }
  return batches;
}

function noDuplicateBatches(order: number[], data: SampledData, options: SamplerOptions): number[][] {
  const textColumns = data.columnNames.filter((name) => !options.labelColumns.includes(name)).map((name) => data.column(name));
  const remaining = new Set(order);
  const batches: number[][] = [];
  while (remaining.size > 0) {
    const values = new Set<unknown>();
    const batch: number[] = [];
    for (const index of remaining) {
      const rowValues = textColumns.map((column) => column[index]);
      if (rowValues.some((value) => values.has(value))) continue;
      batch.push(index);
      if (batch.length === options.batchSize) break;
      rowValues.forEach((value) => values.add(value));
    }
    if (batch.length === options.batchSize || !options.dropLast) batches.push(batch);
    batch.forEach((index) => remaining.delete(index));
  }
  return batches;
}

/**
 * sentence-transformers' GroupByLabelBatchSampler: each label keeps an even number of its rows
 * (labels with one row are dropped); labels are visited in random order and their rows streamed
 * into batches of batchSize, so every label in a batch has at least 2 rows.
 */
function groupByLabelBatches(order: number[], data: SampledData, options: SamplerOptions, epoch: number): number[][] {
  if (options.batchSize % 2 !== 0) throw new ArgumentError("perDeviceTrainBatchSize", `must be even for GROUP_BY_LABEL, got ${options.batchSize}`);
  const [labelColumn] = options.labelColumns;
  if (labelColumn === undefined) throw new ArgumentError("batchSampler", "GROUP_BY_LABEL needs a label column");
  const labels = data.column(labelColumn);
  const groups = new Map<unknown, number[]>();
  for (const index of order) groups.set(labels[index], [...(groups.get(labels[index]) ?? []), index]);
  const usable = [...groups.values()].map((rows) => rows.slice(0, rows.length - (rows.length % 2))).filter((rows) => rows.length > 0);
  const stream = randomPermutation(usable.length, deriveSeed(options.seed, epoch, 1)).flatMap((i) => usable[i]);
  return chunk(stream, options);
}
