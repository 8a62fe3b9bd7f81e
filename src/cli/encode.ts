// `embedtune encode`: the embedding of each input sentence, in input order, streamed. Sentences are
// read as they come (arguments, --input FILE or `--input -` for stdin; see options.ts), encoded a block
// of 32 batches at a time (model.encode sorts by length within a block only: each sentence gets the
// same embedding as from one call over everything, up to float rounding), and each block is written
// before the next is read, so memory is bounded by a block whatever the input size.
// Output: JSON lines on stdout (one array per sentence), or --output FILE by extension: .jsonl/.json,
// .npy (float32 matrix, numpy.load) or .parquet (text + embedding columns), written to a temporary file
// beside FILE and renamed into place at the end (a failure leaves an earlier FILE intact).
// Embeddings are L2-normalised unless --no-normalize (then they are exactly the model's output).
// Failures are one line, exit 1: a non-finite embedding names its sentence (nothing non-finite is ever
// written, so never `null`); a failed write to stdout (disk full) names the cause. A stdout pipe closed
// by its reader (`| head -1`) ends quietly with exit 0 (see io/byte-outputs.ts).
// Progress on stderr: on a terminal, after the first second, sentences done and rate, updated in place;
// elsewhere only with --progress: a line every 10 s and one at the end.

import { EmbedtuneError } from "../errors.ts";
import { atomicFileOutput, OutputClosedError, standardOutput, type ByteOutput } from "../io/byte-outputs.ts";
import { embeddingFormat, embeddingWriter } from "../io/embedding-writers.ts";
import type { SentenceTransformer } from "../models/sentence-transformer.ts";
import type { Command } from "./main.ts";
import { integerOption, loadModelOption, openSentences, type SentenceSource, MODEL_OPTIONS, MODEL_USAGE } from "./options.ts";

/** Batches per call of model.encode; a block never exceeds max(batch size, MAX_BLOCK) sentences. */
const BATCHES_PER_BLOCK = 32;
const MAX_BLOCK = 4096;

/** The model produced NaN or ±Infinity for a sentence. */
export class NonFiniteEmbeddingError extends EmbedtuneError {}

export const encodeCommand: Command = {
  summary: "print the embedding of each sentence as a JSON array, one per line (or --output FILE: .jsonl, .npy, .parquet)",
  usage:
    `embedtune encode ${MODEL_USAGE} (--input FILE|- | SENTENCE...) [--output FILE.jsonl|.npy|.parquet] [--batch-size N] [--no-normalize] [--progress]`,
  options: {
    ...MODEL_OPTIONS,
    input: { type: "string" },
    output: { type: "string" },
    "batch-size": { type: "string" },
    "no-normalize": { type: "boolean" },
    progress: { type: "boolean" },
  },
  async run(values, positionals) {
    // Everything that can be checked is checked before the model loads, so a bad option fails at once.
    const batchSize = integerOption(values, "batch-size") ?? 32;
    const outputPath = typeof values.output === "string" ? values.output : undefined;
    const format = outputPath === undefined ? "jsonl" : embeddingFormat(outputPath, "--output");
    const input = await openSentences(values, positionals);
    let output: ByteOutput | undefined;
    let model: SentenceTransformer | undefined;
    let progress: EncodeProgress | undefined;
    try {
      output = outputPath === undefined ? standardOutput("the embeddings") : await atomicFileOutput(outputPath, "the embeddings");
      model = await loadModelOption(values);
      progress = encodeProgress(values.progress === true);
      const modelName = typeof values.model === "string" ? values.model : "the default model";
      const writer = embeddingWriter(format, output);
      const blockSize = Math.max(batchSize, Math.min(batchSize * BATCHES_PER_BLOCK, MAX_BLOCK));
      let block: string[] = [];
      let done = 0;
      const encodeBlock = async () => {
        const embeddings = await model!.encode(block, { batchSize, normalizeEmbeddings: !values["no-normalize"] });
        assertFinite(embeddings, block, done, input, modelName);
        await writer.write(block, embeddings);
        done += block.length;
        block = [];
        progress!.update(done);
      };
      for await (const sentence of input) {
        block.push(sentence);
        if (block.length >= blockSize) await encodeBlock();
      }
      if (block.length > 0) await encodeBlock();
      await writer.finish();
      progress.finish(done);
    } catch (error) {
      progress?.abandon();
      await output?.discard();
      if (error instanceof OutputClosedError) return;
      throw error;
    } finally {
      input.close();
      model?.dispose();
    }
  },
};

function assertFinite(embeddings: number[][], texts: string[], offset: number, input: SentenceSource, model: string): void {
  for (const [row, embedding] of embeddings.entries()) {
    const bad = embedding.findIndex((value) => !Number.isFinite(value));
    if (bad === -1) continue;
    const text = texts[row].length > 40 ? `${texts[row].slice(0, 40)}…` : texts[row];
    throw new NonFiniteEmbeddingError(
      `${input.describe(offset + row)} (${JSON.stringify(text)}): the model's embedding holds ${embedding[bad]} at dimension ${bad}; ` +
        `${model} may have non-finite or overflowing weights (e.g. saved from a diverged training run)`,
    );
  }
}

interface EncodeProgress {
  update(done: number): void;
  finish(done: number): void;
  abandon(): void;
}

function encodeProgress(requested: boolean): EncodeProgress {
  const stream = process.stderr;
  if (!requested && !stream.isTTY) return { update() {}, finish() {}, abandon() {} };
  const started = performance.now();
  let shown = false;
  let lastLine = started;
  const describe = (done: number, now: number) => {
    const seconds = (now - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    return `Encoded ${done.toLocaleString("en-US")} sentences in ${seconds.toFixed(1)} s (${rate.toLocaleString("en-US")}/s)`;
  };
  return {
    update(done) {
      const now = performance.now();
      if (stream.isTTY) {
        if (now - started < 1000) return;
        stream.write(`\r\x1b[K${describe(done, now)}`);
        shown = true;
      } else if (now - lastLine >= 10_000) {
        stream.write(`${describe(done, now)}\n`);
        lastLine = now;
      }
    },
    finish(done) {
      if (stream.isTTY && !shown && !requested) return;
      stream.write(`${stream.isTTY ? "\r\x1b[K" : ""}${describe(done, performance.now())}\n`);
      shown = false;
    },
    abandon() {
      if (stream.isTTY && shown) stream.write("\n");
      shown = false;
    },
  };
}
