// 2. One-epoch STS-B fine-tune of the tiny preset model (2 layers × 64, initModel({ preset: "tiny" })):
// all 5,749 train pairs, batch 16 (360 steps), CoSENT + AdamW, wall time of trainer.train() per engine.
// The reference is PyTorch running the same epoch on the same model folder and rows (bert_ref.py,
// tokenising inside the loop as the trainer does; its own shuffle). About 10–60 s per engine, so --quick
// runs the whole epoch too. Process CPU seconds are reported beside the wall time.

import { attempt, measuredRow, median, runNodeTask, type Benchmark, type Outcome, type Row } from "./common.ts";
import { ensureModel, stsbPath, stsbRows } from "./fixtures.ts";
import { runTorch, torchLabel } from "./torch.ts";
import type { EngineName } from "./embedtune.ts";

const BATCH = 16;

interface TorchEpoch {
  wall_seconds: number;
  cpu_seconds: number;
  steps: number;
  median_step_seconds: number;
  loss_first_last: number[];
}

interface EngineEpoch {
  engine: string;
  wallSeconds: number;
  cpuSeconds: number;
  steps: number;
  medianStepSeconds: number;
  firstStepSeconds: number;
  lossFirstLast: number[];
}

export const tinyEpoch: Benchmark = {
  name: "tiny-epoch",
  title: "tiny model, one STS-B epoch (batch 16, CoSENT)",
  async run() {
    const model = await ensureModel("tiny");
    const rows = await stsbRows("train");
    const steps = Math.ceil(rows.length / BATCH);
    const torch = await attempt(() =>
      runTorch<TorchEpoch>("epoch", { model, pairs: rows.map((r) => [r.sentence1, r.sentence2, r.score]), batch_size: BATCH, lr: 2e-5, seed: 42 }, {
        label: `PyTorch tiny epoch (${steps} steps)`,
        timeoutSeconds: 300,
      }),
    );
    const engine = (name: EngineName) =>
      attempt(() =>
        runNodeTask<EngineEpoch>("tiny-epoch", { model, engine: name }, {
          label: `embedtune ${name} tiny epoch (${steps} steps)`,
          timeoutSeconds: 300,
        }),
      );
    const outcomes: [EngineName, Outcome<EngineEpoch>][] = [
      ["onnxruntime", await engine("onnxruntime")],
      ["tfjs", await engine("tfjs")],
    ];
    const reference = torch.ok ? torch.value.wall_seconds : null;
    const metric = `wall s, ${steps} steps`;
    const base = { benchmark: "2 tiny-epoch", metric, unit: "s", better: "lower" as const };
    const tableRows: Row[] = [
      measuredRow({ ...base, subject: torchLabel() }, torch, (measured) => ({
        value: measured.wall_seconds,
        note:
          `median step ${(measured.median_step_seconds * 1e3).toFixed(1)} ms, mean ${((measured.wall_seconds / measured.steps) * 1e3).toFixed(1)} ms; CPU ${measured.cpu_seconds.toFixed(1)} s; ` +
          `loss ${measured.loss_first_last.map((l) => l.toFixed(2)).join(" → ")}`,
      })),
    ];
    const tfjsSeconds = outcomes[1][1].ok ? outcomes[1][1].value.wallSeconds : null;
    for (const [name, outcome] of outcomes) {
      const measure = (measured: EngineEpoch) => {
        const vsTfjs = name !== "tfjs" && tfjsSeconds !== null ? `; ${(tfjsSeconds / measured.wallSeconds).toFixed(1)}× faster than tfjs` : "";
        const note =
          `median step ${(measured.medianStepSeconds * 1e3).toFixed(1)} ms, mean ${((measured.wallSeconds / measured.steps) * 1e3).toFixed(1)} ms (first ${(measured.firstStepSeconds * 1e3).toFixed(0)} ms); ` +
          `CPU ${measured.cpuSeconds.toFixed(1)} s; loss ${measured.lossFirstLast.map((l) => l.toFixed(2)).join(" → ")}${vsTfjs}`;
        return { value: measured.wallSeconds, note };
      };
      tableRows.push(measuredRow({ ...base, subject: `embedtune ${name}` }, outcome, measure, { subject: torchLabel(), value: reference }));
    }
    return {
      rows: tableRows,
      details: {
        steps,
        torch: torch.ok ? torch.value : torch.reason,
        ...Object.fromEntries(outcomes.map(([name, o]) => [name, o.ok ? o.value : o.reason])),
      },
    };
  },
};

// ---------------------------------------------------------------- child-side task

export const tinyEpochTasks = {
  async "tiny-epoch"(input: { model: string; engine: EngineName }): Promise<EngineEpoch> {
    const { loadModel, trainModel } = await import("./embedtune.ts");
    const { loadDataset } = await import("../src/index.ts");
    const model = await loadModel(input.model, input.engine);
    const dataset = await loadDataset("parquet", { dataFiles: { train: stsbPath("train") }, split: "train" });
    const run = await trainModel(model, dataset, { batchSize: BATCH, numTrainEpochs: 1, learningRate: 2e-5 });
    return {
      engine: input.engine,
      wallSeconds: run.wallSeconds,
      cpuSeconds: run.cpuSeconds,
      steps: run.stepSeconds.length,
      medianStepSeconds: median(run.stepSeconds),
      firstStepSeconds: run.stepSeconds[0],
      lossFirstLast: [run.losses[0], run.losses.at(-1)!],
    };
  },
};
