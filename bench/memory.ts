// 5. Memory over 1,000 tiny-model training steps (STS-B train, batch 16, CoSENT; 3 epochs' worth, cut at
// step 1,000) per engine: tf.memory().numTensors and process RSS (after a gc) every 10 steps, with the
// (batch, sequence length) shapes the batches were padded to. STS-B batches come in ~90 shapes, new ones
// turning up for thousands of steps; onnxruntime plans a shape's memory on its first run and allocates
// that plan as one block from its arena from the second run on, so the arena (RSS) grows in steps of
// up to ~40 MB while shapes are new (warm-up, not a leak: it stops once the long shapes have run twice,
// and RSS stays flat from step 100 with enableMemPattern off). So a 10-step interval is "settled" when
// every batch in it had a shape already run twice; the RSS trend counts only settled intervals (a leak
// grows there). Flat = pass: the tensor count at the last step equals step 100's, and the second half's
// settled RSS trend (see secondHalf) is at most +2 % (or +8 MB); the raw second-half delta is reported
// beside it.
// --quick stops at step 300.

import { attempt, median, runNodeTask, type Benchmark, type Outcome, type Row } from "./common.ts";
import { ensureModel, stsbPath } from "./fixtures.ts";
import type { EngineName, MemorySample } from "./embedtune.ts";

const SAMPLE_EVERY = 10;
const FIRST_SAMPLE = 100;
const RSS_TOLERANCE = 0.02;
const RSS_TOLERANCE_MB = 8;
/** A shape's runs until its memory is planned and allocated as planned (onnxruntime's memory pattern). */
const WARM_UP_RUNS = 2;

interface MemoryPoint extends MemorySample {
  step: number;
  /** Distinct (batch, sequence length) shapes tokenized so far. */
  shapes: number;
  /** Every batch since the previous sample had a shape that had already run WARM_UP_RUNS times. */
  settled: boolean;
}

interface MemoryRun {
  engine: string;
  steps: number;
  /** trainer.train() seconds without the sampling. */
  seconds: number;
  samples: MemoryPoint[];
}

/**
 * What a run's samples say about its second half (after step `halfway`): RSS with every warm-up
 * interval's change taken out, and its trend over the settled samples as a Theil–Sen slope (the median
 * of the pairwise slopes: allocator noise of ±10 MB between samples does not move it, a leak does)
 * times the half's steps.
 */
function secondHalf(samples: readonly MemoryPoint[], halfway: number, steps: number) {
  let warmUpMB = 0;
  let lastWarmUpStep = 0;
  const settled: { step: number; rssMB: number }[] = [];
  for (let i = 1; i < samples.length; i++) {
    if (!samples[i].settled) {
      warmUpMB += samples[i].rssMB - samples[i - 1].rssMB;
      lastWarmUpStep = samples[i].step;
    } else if (samples[i].step > halfway) settled.push({ step: samples[i].step, rssMB: samples[i].rssMB - warmUpMB });
  }
  const slopes = settled.flatMap((a, i) => settled.slice(i + 1).map((b) => (b.rssMB - a.rssMB) / (b.step - a.step)));
  const trendMB = slopes.length > 0 ? median(slopes) * (steps - halfway) : undefined;
  const intervals = samples.filter((sample) => sample.step > halfway).length;
  return { trendMB, settledIntervals: settled.length, intervals, lastWarmUpStep };
}

export const memorySteps: Benchmark = {
  name: "memory",
  title: "memory over 1,000 tiny-model training steps",
  async run({ quick }) {
    const steps = quick ? 300 : 1000;
    const halfway = Math.round(steps / 2 / SAMPLE_EVERY) * SAMPLE_EVERY;
    const model = await ensureModel("tiny");
    const outcomes: [EngineName, Outcome<MemoryRun>][] = [];
    for (const engine of ["onnxruntime", "tfjs"] as const) {
      outcomes.push([
        engine,
        await attempt(() => runNodeTask<MemoryRun>("memory-steps", { model, engine, steps }, { label: `embedtune ${engine} ${steps} tiny steps`, timeoutSeconds: 900 })),
      ]);
    }
    const rows: Row[] = [];
    for (const [engine, outcome] of outcomes) {
      const samples = outcome.ok ? outcome.value.samples : [];
      const at = (step: number) => samples.find((sample) => sample.step === step);
      const [first, middle, last] = [at(FIRST_SAMPLE), at(halfway), at(steps)];
      const tensorsFlat = first && last ? first.numTensors === last.numTensors : undefined;
      const half = secondHalf(samples, halfway, steps);
      const rssFlat = middle && last && half.trendMB !== undefined ? half.trendMB <= Math.max(RSS_TOLERANCE * middle.rssMB, RSS_TOLERANCE_MB) : undefined;
      const missing = outcome.ok ? undefined : outcome.reason;
      const base = { benchmark: "5 memory", subject: `embedtune ${engine}`, better: "equal" as const, missing };
      rows.push({
        ...base,
        metric: `tf numTensors @ step ${steps}`,
        unit: "tensors",
        reference: `step ${FIRST_SAMPLE}`,
        value: last?.numTensors ?? null,
        referenceValue: first?.numTensors ?? null,
        ratio: first && last && first.numTensors > 0 ? last.numTensors / first.numTensors : null,
        note: tensorsFlat === undefined ? undefined : tensorsFlat ? "flat: PASS" : `grew by ${last!.numTensors - first!.numTensors}: FAIL`,
      });
      rows.push({
        ...base,
        metric: `RSS MB @ step ${steps}`,
        unit: "MB",
        reference: `step ${halfway}`,
        value: last?.rssMB ?? null,
        referenceValue: middle?.rssMB ?? null,
        ratio: middle && last ? last.rssMB / middle.rssMB : null,
        note:
          rssFlat === undefined || !outcome.ok
            ? undefined
            : `${rssFlat ? "flat: PASS" : "grew: FAIL"} (trend ${signed(half.trendMB!)} MB over the second half's ${half.settledIntervals} of ${half.intervals} ` +
              `settled ${SAMPLE_EVERY}-step intervals, ${signed(last!.rssMB - middle!.rssMB)} MB raw; shapes ${at(10)?.shapes}/${first!.shapes}/${middle!.shapes}/${last!.shapes} ` +
              `seen by steps 10/${FIRST_SAMPLE}/${halfway}/${steps}, last one new or on its 2nd run by step ${half.lastWarmUpStep}; ` +
              `RSS ${[10, FIRST_SAMPLE, halfway, steps].map((step) => at(step)?.rssMB.toFixed(0) ?? "?").join("/")} MB; ` +
              `JS heap ${first!.heapUsedMB.toFixed(0)} → ${last!.heapUsedMB.toFixed(0)} MB; ${(outcome.value.seconds / steps * 1e3).toFixed(0)} ms/step)`,
      });
    }
    return { rows, details: Object.fromEntries(outcomes.map(([engine, o]) => [engine, o.ok ? compactRun(o.value) : o.reason])) };
  },
};

function signed(value: number): string {
  return `${value >= 0 ? "+" : ""}${value.toFixed(1)}`;
}

/** The run with its samples as columns (100 samples per engine). */
function compactRun(run: MemoryRun) {
  const column = (pick: (sample: MemoryPoint) => number | boolean) => run.samples.map(pick);
  return {
    engine: run.engine,
    steps: run.steps,
    seconds: run.seconds,
    step: column((s) => s.step),
    rssMB: column((s) => Math.round(s.rssMB * 10) / 10),
    heapUsedMB: column((s) => Math.round(s.heapUsedMB * 10) / 10),
    externalMB: column((s) => Math.round(s.externalMB * 10) / 10),
    numTensors: column((s) => s.numTensors),
    shapes: column((s) => s.shapes),
    settled: column((s) => s.settled),
  };
}

// ---------------------------------------------------------------- child-side task

export const memoryTasks = {
  async "memory-steps"(input: { model: string; engine: EngineName; steps: number }): Promise<MemoryRun> {
    const { loadModel, trainModel, memorySample } = await import("./embedtune.ts");
    const { loadDataset } = await import("../src/index.ts");
    const model = await loadModel(input.model, input.engine);
    const runsPerShape = new Map<string, number>();
    let settled = true;
    const tokenize = model.tokenize.bind(model);
    model.tokenize = (texts) => {
      const features = tokenize(texts);
      const shape = `${features.batchSize}x${features.seqLength}`;
      const runs = (runsPerShape.get(shape) ?? 0) + 1;
      runsPerShape.set(shape, runs);
      if (runs <= WARM_UP_RUNS) settled = false;
      return features;
    };
    const dataset = await loadDataset("parquet", { dataFiles: { train: stsbPath("train") }, split: "train" });
    const samples: MemoryPoint[] = [];
    const run = await trainModel(model, dataset, {
      batchSize: 16,
      maxSteps: input.steps,
      numTrainEpochs: Math.ceil(input.steps / Math.ceil(dataset.numRows / 16)),
      learningRate: 2e-5,
      onStep: (event) => {
        if (event.step % SAMPLE_EVERY !== 0) return;
        samples.push({ step: event.step, shapes: runsPerShape.size, settled, ...memorySample() });
        settled = true;
      },
    });
    return { engine: input.engine, steps: input.steps, seconds: run.wallSeconds, samples };
  },
};
