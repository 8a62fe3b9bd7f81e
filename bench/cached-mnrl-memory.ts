// 8. Memory of CachedMultipleNegativesRankingLoss (GradCache) against the batch size, on the bge-small-shaped
// model (12 × 384, 33M parameters, random weights): MultipleNegativesRankingLoss at batch 32 (the reference)
// and 128, CachedMultipleNegativesRankingLoss (miniBatchSize 32) at batch 32, 128 and 256, each in its own
// child process running SentenceTransformerTrainer (AdamW, dropout on) for 3 optimizer steps (2 with --quick).
// Texts: each anchor joins 6 STS-B train sentence1s, its positive the same rows' sentence2s, and
// max_seq_length is 64, so every batch pads to 64 tokens and memory depends on the batch alone (with
// STS-B's own lengths a batch of 256 pads to its longest of 256 sentences, longer than 32 rows' longest).
// Several steps because onnxruntime plans memory per input shape: the first repeat of a shape (the next
// step for MNRL, the next mini-batch for CachedMNRL) adds ~0.6 GB once, then RSS levels off.
// Figure: the process's peak RSS over the steps alone — Linux's VmHWM, reset at train_begin by writing 5
// to /proc/self/clear_refs (the model load does not count, synchronous tfjs work does); where that reset is
// refused, the highest of 20 ms RSS samples. Beside it: RSS before the steps, the peak after step 1, the
// median step time. Flat = pass: CachedMNRL within +10 % (or +64 MB) of MNRL at 32. onnxruntime engine;
// unless --quick also the tfjs engine (MNRL 32 and CachedMNRL 256, 2 steps: ~1 min per 32 rows on wasm).

import { attempt, measuredRow, median, runNodeTask, type Benchmark, type Outcome, type Row } from "./common.ts";
import type { EngineName } from "./embedtune.ts";
import { ensureModel, samplePairs } from "./fixtures.ts";

const MINI_BATCH = 32;
const SEQ_LENGTH = 64;
const SENTENCES_PER_TEXT = 6;
const FLAT_TOLERANCE = 0.1;
const FLAT_TOLERANCE_MB = 64;

interface StepMemory {
  engine: string;
  loss: string;
  batchSize: number;
  steps: number;
  seqLengths: number[];
  rssBeforeMB: number;
  peakStepsRssMB: number;
  peakAfterFirstStepMB: number;
  maxRssMB: number;
  /** "VmHWM" (the kernel's high-water mark, reset at train_begin) or "samples" (20 ms RSS samples). */
  peakFrom: string;
  stepSeconds: number[];
  losses: number[];
}

interface Subject {
  engine: EngineName;
  loss: "MultipleNegativesRankingLoss" | "CachedMultipleNegativesRankingLoss";
  batchSize: number;
  steps: number;
}

const label = (subject: Subject) => `${subject.loss === "MultipleNegativesRankingLoss" ? "MNRL" : `CachedMNRL (mini-batch ${MINI_BATCH})`} batch ${subject.batchSize}`;

export const cachedMnrlMemory: Benchmark = {
  name: "cached-mnrl-memory",
  title: "peak RSS of bge-small training steps: CachedMNRL at batch 32/128/256 vs MNRL at 32",
  async run({ quick }) {
    const model = await ensureModel("bge-small");
    const steps = quick ? 2 : 3;
    const subjects: Subject[] = [
      { engine: "onnxruntime", loss: "MultipleNegativesRankingLoss", batchSize: 32, steps },
      { engine: "onnxruntime", loss: "MultipleNegativesRankingLoss", batchSize: 128, steps },
      { engine: "onnxruntime", loss: "CachedMultipleNegativesRankingLoss", batchSize: 32, steps },
      { engine: "onnxruntime", loss: "CachedMultipleNegativesRankingLoss", batchSize: 128, steps },
      { engine: "onnxruntime", loss: "CachedMultipleNegativesRankingLoss", batchSize: 256, steps },
      ...(quick
        ? []
        : ([
            { engine: "tfjs", loss: "MultipleNegativesRankingLoss", batchSize: 32, steps: 2 },
            { engine: "tfjs", loss: "CachedMultipleNegativesRankingLoss", batchSize: 256, steps: 2 },
          ] as Subject[])),
    ];
    const rowsNeeded = Math.max(...subjects.map((s) => s.batchSize * s.steps));
    const pairs = await samplePairs(rowsNeeded * SENTENCES_PER_TEXT, 2027);
    const join = (texts: string[]) => Array.from({ length: rowsNeeded }, (_, i) => texts.slice(i * SENTENCES_PER_TEXT, (i + 1) * SENTENCES_PER_TEXT).join(" "));
    const anchors = join(pairs.map((p) => p.sentence1));
    const positives = join(pairs.map((p) => p.sentence2));
    const outcomes: [Subject, Outcome<StepMemory>][] = [];
    for (const subject of subjects) {
      const rows = subject.batchSize * subject.steps;
      outcomes.push([
        subject,
        await attempt(() =>
          runNodeTask<StepMemory>(
            "cached-mnrl-steps",
            { model, ...subject, miniBatchSize: MINI_BATCH, seqLength: SEQ_LENGTH, anchors: anchors.slice(0, rows), positives: positives.slice(0, rows) },
            { label: `embedtune ${subject.engine} bge-small ${label(subject)}, ${subject.steps} steps`, timeoutSeconds: subject.engine === "tfjs" ? 3600 : 1800 },
          ),
        ),
      ]);
    }
    const rows: Row[] = [];
    for (const engine of ["onnxruntime", "tfjs"] as const) {
      const reference = outcomes.find(([s]) => s.engine === engine && s.loss === "MultipleNegativesRankingLoss" && s.batchSize === 32)?.[1];
      if (!reference) continue;
      const referenceValue = reference.ok ? reference.value.peakStepsRssMB : null;
      for (const [subject, outcome] of outcomes.filter(([s]) => s.engine === engine)) {
        const isReference = subject.loss === "MultipleNegativesRankingLoss" && subject.batchSize === 32;
        rows.push(
          measuredRow(
            { benchmark: "8 cached-mnrl-memory", subject: `embedtune ${engine} ${label(subject)}`, metric: `peak RSS over ${subject.steps} steps`, unit: "MB", better: "lower" },
            outcome,
            (m) => {
              const flat =
                subject.loss === "CachedMultipleNegativesRankingLoss" && referenceValue !== null
                  ? m.peakStepsRssMB - referenceValue <= Math.max(FLAT_TOLERANCE * referenceValue, FLAT_TOLERANCE_MB)
                    ? "flat: PASS; "
                    : "above MNRL at 32: FAIL; "
                  : "";
              return {
                value: m.peakStepsRssMB,
                note:
                  `${flat}${m.peakFrom === "VmHWM" ? "" : "20 ms samples; "}RSS ${m.rssBeforeMB.toFixed(0)} MB before, ${m.peakAfterFirstStepMB.toFixed(0)} MB peak in step 1; ` +
                  `median step ${median(m.stepSeconds).toFixed(1)} s; ${m.seqLengths.join("/")} tokens`,
              };
            },
            isReference ? undefined : { subject: `${engine} MNRL batch 32`, value: referenceValue },
          ),
        );
      }
    }
    return { rows, details: Object.fromEntries(outcomes.map(([subject, o]) => [`${subject.engine} ${label(subject)}`, o.ok ? o.value : o.reason])) };
  },
};

// ---------------------------------------------------------------- child-side task

export const cachedMnrlMemoryTasks = {
  async "cached-mnrl-steps"(input: Subject & { model: string; miniBatchSize: number; seqLength: number; anchors: string[]; positives: string[] }): Promise<StepMemory> {
    const { readFileSync, rmSync, writeFileSync } = await import("node:fs");
    const { loadModel, memorySample, peakRssMB } = await import("./embedtune.ts");
    const { Dataset, SentenceTransformerTrainer, SentenceTransformerTrainingArguments, pickLoss } = await import("../src/index.ts");
    const { scratchDir } = await import("./common.ts");
    /** VmHWM in bytes. */
    const highWaterMark = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0) * 1024;
    const model = await loadModel(input.model, input.engine);
    model.maxSeqLength = input.seqLength;
    const dataset = Dataset.fromColumns({ anchor: input.anchors, positive: input.positives });
    const seqLengths = [input.anchors, input.positives].map((texts) => model.tokenize(texts.slice(0, input.batchSize)).seqLength);
    const outputDir = scratchDir("trainer-output", String(process.pid));
    const args = new SentenceTransformerTrainingArguments({
      outputDir, perDeviceTrainBatchSize: input.batchSize, maxSteps: input.steps, learningRate: 2e-5, weightDecay: 0.01,
      evalStrategy: "no", saveStrategy: "no", loggingStrategy: "no", disableTqdm: true, seed: 42,
    });
    const loss = pickLoss(model, input.loss, { miniBatchSize: input.miniBatchSize });
    const trainer = new SentenceTransformerTrainer({ model, args, trainDataset: dataset, loss });
    let rssBeforeMB = 0;
    let peak = 0;
    let peakAfterFirstStep = 0;
    let highWaterReset = false;
    let sampler: ReturnType<typeof setInterval> | undefined;
    let last = 0;
    const stepSeconds: number[] = [];
    const losses: number[] = [];
    trainer.on("train_begin", () => {
      rssBeforeMB = memorySample().rssMB;
      try {
        writeFileSync("/proc/self/clear_refs", "5");
        highWaterReset = true;
      } catch {
        highWaterReset = false;
      }
      peak = process.memoryUsage().rss;
      sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      last = performance.now();
    });
    trainer.on("step", (event) => {
      stepSeconds.push((performance.now() - last) / 1000);
      losses.push(event.loss);
      peak = Math.max(peak, process.memoryUsage().rss, highWaterReset ? highWaterMark() : 0);
      if (stepSeconds.length === 1) peakAfterFirstStep = peak;
      last = performance.now();
    });
    try {
      await trainer.train();
    } finally {
      clearInterval(sampler);
      rmSync(outputDir, { recursive: true, force: true });
    }
    const MB = 1024 * 1024;
    return {
      engine: input.engine,
      loss: input.loss,
      batchSize: input.batchSize,
      steps: input.steps,
      seqLengths,
      rssBeforeMB,
      peakStepsRssMB: peak / MB,
      peakAfterFirstStepMB: peakAfterFirstStep / MB,
      maxRssMB: peakRssMB(),
      peakFrom: highWaterReset ? "VmHWM" : "samples",
      stepSeconds,
      losses,
    };
  },
};
