// 1. bge-small training step. Random weights from initModel({ preset: "bge-small", vocab: bert-base
// vocab.txt }); 16 STS-B train pairs chosen by a fixed seed, the same 16 every step and for every engine,
// at their real token lengths (each side padded to its own longest, as sentence-transformers does);
// CoSENT + AdamW (lr 2e-5, weight decay 0.01, warmup 10 %, clipping 1.0), dropout on. Median seconds per
// optimizer step after the warm-ups: PyTorch (bert_ref.py, OpenBLAS, 2 threads) vs embedtune's
// onnxruntime engine, in turn for several rounds (each one's best round reported), then its tfjs engine
// once (1 warm-up + 2 timed steps: ~10 s each on wasm; skipped by --quick).
// embedtune steps are timed between the trainer's "step" events, so tokenisation is inside (as in PyTorch here).

import { attempt, bestRound, describeRounds, interleaved, measuredRow, median, runNodeTask, type Benchmark, type Row } from "./common.ts";
import { ensureModel, samplePairs, type PairRow } from "./fixtures.ts";
import { runTorch, torchLabel } from "./torch.ts";
import type { EngineName } from "./embedtune.ts";

const BATCH = 16;
const WARMUP = 2;

interface TorchTrain {
  step_seconds: number[];
  median_seconds: number;
  step_cpu_seconds: number[];
  median_cpu_seconds: number;
  padded_lengths: number[];
  mean_real_tokens: number;
  loss_first_last: number[];
  threads: number;
}

interface EngineTrain {
  engine: string;
  provider?: string;
  loadSeconds: number;
  stepSeconds: number[];
  stepCpuSeconds: number[];
  warmup: number;
  medianSeconds: number;
  medianCpuSeconds: number;
  paddedLengths: number[];
  losses: number[];
  peakRssMB: number;
}

/** "min–max s" of the timed steps. */
function spread(seconds: number[]): string {
  return `${Math.min(...seconds).toFixed(2)}–${Math.max(...seconds).toFixed(2)} s`;
}

export const trainStep: Benchmark = {
  name: "train-step",
  title: "bge-small training step (16 STS-B pairs, CoSENT + AdamW)",
  async run({ quick, rounds }) {
    const steps = quick ? 3 : 10;
    const model = await ensureModel("bge-small");
    const pairs = await samplePairs(BATCH);
    const engine = (name: EngineName, warmup: number, timed: number, label: string) =>
      runNodeTask<EngineTrain>("train-step", { model, engine: name, pairs, warmup, steps: timed }, {
        label: `embedtune ${name} bge-small train step (${warmup}+${timed} steps${label})`,
        timeoutSeconds: name === "tfjs" ? 420 : 300,
      });
    const roundLabel = (round: number) => `, round ${round + 1}/${rounds}`;
    const measured = await interleaved(rounds, {
      torch: (round) =>
        runTorch<TorchTrain>("train", { model, pairs: pairs.map((p) => [p.sentence1, p.sentence2, p.score]), warmup: WARMUP, steps, lr: 2e-5 }, {
          label: `PyTorch bge-small train step (${WARMUP}+${steps} steps${roundLabel(round)})`,
          timeoutSeconds: 300,
        }),
      ort: (round) => engine("onnxruntime", WARMUP, steps, roundLabel(round)),
    });
    const torch = bestRound(measured.torch, (value) => value.median_seconds, "lower");
    const ort = bestRound(measured.ort, (value) => value.medianSeconds, "lower");
    // tfjs on wasm takes ~10 s a step: one round, after the others.
    const tfjs = quick ? ({ ok: false, reason: "skipped (--quick)" } as const) : bestRound([await attempt(() => engine("tfjs", 1, 2, ""))], (value) => value.medianSeconds, "lower");

    const reference = torch.ok ? torch.value.median_seconds : null;
    const referenceName = torchLabel();
    const rows: Row[] = [];
    const base = { benchmark: "1 train-step", metric: "median s/step", unit: "s", better: "lower" as const };
    rows.push(
      measuredRow({ ...base, subject: referenceName }, torch, (measured) => ({
        value: measured.median_seconds,
        note:
          `${describeRounds(measured.roundScores, "s")}${measured.roundScores.length > 1 ? "; " : ""}${measured.step_seconds.length - WARMUP} timed steps after ${WARMUP} warm-up (${spread(measured.step_seconds.slice(WARMUP))}); CPU ${measured.median_cpu_seconds.toFixed(2)} s/step; ` +
          `padded ${measured.padded_lengths.join("/")} tokens per side, mean real ${measured.mean_real_tokens.toFixed(1)}`,
      })),
    );
    for (const [name, outcome] of [["onnxruntime", ort], ["tfjs", tfjs]] as const) {
      const subject = `embedtune ${name}${outcome.ok && outcome.value.provider ? ` (${outcome.value.provider})` : ""}`;
      const measure = (measured: EngineTrain & { roundScores: number[] }) => ({
        value: measured.medianSeconds,
        note:
          `${describeRounds(measured.roundScores, "s")}${measured.roundScores.length > 1 ? "; " : ""}${measured.stepSeconds.length - measured.warmup} timed steps after ${measured.warmup} warm-up (${spread(measured.stepSeconds.slice(measured.warmup))}; first ${measured.stepSeconds[0].toFixed(2)} s); ` +
          `CPU ${measured.medianCpuSeconds.toFixed(2)} s/step; padded ${measured.paddedLengths.join("/")}; peak RSS ${measured.peakRssMB.toFixed(0)} MB`,
      });
      rows.push(measuredRow({ ...base, subject }, outcome, measure, { subject: referenceName, value: reference }));
    }
    return {
      rows,
      details: {
        pairs,
        warmup: WARMUP,
        rounds,
        torch: torch.ok ? torch.value : torch.reason,
        onnxruntime: ort.ok ? ort.value : ort.reason,
        tfjs: tfjs.ok ? tfjs.value : tfjs.reason,
      },
    };
  },
};

// ---------------------------------------------------------------- child-side task

export const trainStepTasks = {
  async "train-step"(input: { model: string; engine: EngineName; pairs: PairRow[]; warmup: number; steps: number }): Promise<EngineTrain> {
    const { loadModel, engineProvider, pairDataset, trainModel, peakRssMB } = await import("./embedtune.ts");
    const loadStarted = performance.now();
    const model = await loadModel(input.model, input.engine);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const paddedLengths = [
      model.tokenize(input.pairs.map((p) => p.sentence1)).seqLength,
      model.tokenize(input.pairs.map((p) => p.sentence2)).seqLength,
    ];
    const run = await trainModel(model, pairDataset(input.pairs), { batchSize: BATCH, maxSteps: input.warmup + input.steps, learningRate: 2e-5 });
    return {
      engine: input.engine,
      provider: engineProvider(model),
      loadSeconds,
      stepSeconds: run.stepSeconds,
      stepCpuSeconds: run.stepCpuSeconds,
      warmup: input.warmup,
      medianSeconds: median(run.stepSeconds.slice(input.warmup)),
      medianCpuSeconds: median(run.stepCpuSeconds.slice(input.warmup)),
      paddedLengths,
      losses: run.losses,
      peakRssMB: peakRssMB(),
    };
  },
};
