// 5. Memory over 1,000 tiny-model training steps (STS-B train, batch 16, CoSENT; 3 epochs' worth, cut at
// step 1,000) per engine: tf.memory().numTensors and process RSS (after a gc) at steps 10, 100, half-way
// and the last. Flat = pass: the tensor count at the last step equals step 100's, and RSS over the second
// half grew by at most 5 % (or 16 MB) — allocators and onnxruntime's per-shape memory plans grow RSS
// early on and then level off; a leak keeps growing. --quick stops at step 300.

import { attempt, runNodeTask, type Benchmark, type Outcome, type Row } from "./common.ts";
import { ensureModel, stsbPath } from "./fixtures.ts";
import type { EngineName, MemorySample } from "./embedtune.ts";

const FIRST_SAMPLE = 100;
const RSS_TOLERANCE = 0.05;
const RSS_TOLERANCE_MB = 16;

interface MemoryRun {
  engine: string;
  steps: number;
  seconds: number;
  samples: Record<string, MemorySample>;
}

export const memorySteps: Benchmark = {
  name: "memory",
  title: "memory over 1,000 tiny-model training steps",
  async run({ quick }) {
    const steps = quick ? 300 : 1000;
    const halfway = Math.round(steps / 2);
    const model = await ensureModel("tiny");
    const outcomes: [EngineName, Outcome<MemoryRun>][] = [];
    for (const engine of ["onnxruntime", "tfjs"] as const) {
      outcomes.push([
        engine,
        await attempt(() => runNodeTask<MemoryRun>("memory-steps", { model, engine, steps, sampleAt: [10, FIRST_SAMPLE, halfway, steps] }, { label: `embedtune ${engine} ${steps} tiny steps`, timeoutSeconds: 420 })),
      ]);
    }
    const rows: Row[] = [];
    for (const [engine, outcome] of outcomes) {
      const first = outcome.ok ? outcome.value.samples[FIRST_SAMPLE] : undefined;
      const middle = outcome.ok ? outcome.value.samples[halfway] : undefined;
      const last = outcome.ok ? outcome.value.samples[steps] : undefined;
      const tensorsFlat = first && last ? first.numTensors === last.numTensors : undefined;
      const rssFlat = middle && last ? last.rssMB - middle.rssMB <= Math.max(RSS_TOLERANCE * middle.rssMB, RSS_TOLERANCE_MB) : undefined;
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
          rssFlat === undefined
            ? undefined
            : `${rssFlat ? "flat: PASS" : "grew: FAIL"} (${(last!.rssMB - middle!.rssMB).toFixed(1)} MB over the second half; ` +
              `steps 10/${FIRST_SAMPLE}/${halfway}/${steps}: ${[10, FIRST_SAMPLE, halfway, steps].map((step) => outcome.ok ? outcome.value.samples[step]?.rssMB.toFixed(0) : "?").join("/")} MB; ` +
              `JS heap ${first!.heapUsedMB.toFixed(0)} → ${last!.heapUsedMB.toFixed(0)} MB; ${outcome.ok ? (outcome.value.seconds / steps * 1e3).toFixed(0) : "?"} ms/step)`,
      });
    }
    return { rows, details: Object.fromEntries(outcomes.map(([engine, o]) => [engine, o.ok ? o.value : o.reason])) };
  },
};

// ---------------------------------------------------------------- child-side task

export const memoryTasks = {
  async "memory-steps"(input: { model: string; engine: EngineName; steps: number; sampleAt: number[] }): Promise<MemoryRun> {
    const { loadModel, trainModel, memorySample } = await import("./embedtune.ts");
    const { loadDataset } = await import("../src/index.ts");
    const model = await loadModel(input.model, input.engine);
    const dataset = await loadDataset("parquet", { dataFiles: { train: stsbPath("train") }, split: "train" });
    const samples: Record<string, MemorySample> = {};
    const wanted = new Set(input.sampleAt);
    const started = performance.now();
    await trainModel(model, dataset, {
      batchSize: 16,
      maxSteps: input.steps,
      numTrainEpochs: Math.ceil(input.steps / Math.ceil(dataset.numRows / 16)),
      learningRate: 2e-5,
      onStep: (event) => {
        if (wanted.has(event.step)) samples[event.step] = memorySample();
      },
    });
    return { engine: input.engine, steps: input.steps, seconds: (performance.now() - started) / 1000, samples };
  },
};
