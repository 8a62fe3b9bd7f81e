// 4. A 1,000,000-row pair-score parquet (sentence1, sentence2, score; ~60-character sentences from
// STS-B's words; written once with writeParquet into the scratch folder): seconds from loadDataset()
// to the first training step done (tiny model, ORT engine where it loads, batch 16), and the process's
// peak RSS (resourceUsage().maxRSS, and the highest of 20 ms process.memoryUsage().rss samples).
// Reference, same run, same code path: STS-B train (5,749 rows). Each runs in a fresh process.

import { attempt, measuredRow, runNodeTask, type Benchmark, type Row } from "./common.ts";
import { ensureModel, ensurePairsParquet, stsbPath } from "./fixtures.ts";
import type { EngineName } from "./embedtune.ts";

interface FirstStep {
  engine: string;
  rows: number;
  modelLoadSeconds: number;
  loadDatasetSeconds: number;
  trainerSeconds: number;
  firstStepSeconds: number;
  totalSeconds: number;
  rssBeforeMB: number;
  peakRssMB: number;
  peakSampledRssMB: number;
  engineNote?: string;
}

export const parquetFirstStep: Benchmark = {
  name: "parquet-1m",
  title: "1M-row parquet: loadDataset → first training step",
  async run() {
    const model = await ensureModel("tiny");
    const parquet = await ensurePairsParquet();
    const big = await attempt(() => runNodeTask<FirstStep>("first-step", { model, path: parquet.path }, { label: "1M-row parquet → first step", timeoutSeconds: 300 }));
    const small = await attempt(() => runNodeTask<FirstStep>("first-step", { model, path: stsbPath("train") }, { label: "STS-B train parquet → first step", timeoutSeconds: 300 }));
    const refName = "STS-B train (5,749 rows)";
    const describe = (o: FirstStep) =>
      `${o.engine} engine${o.engineNote ? ` (${o.engineNote})` : ""}: loadDataset ${o.loadDatasetSeconds.toFixed(2)} s, trainer ${o.trainerSeconds.toFixed(2)} s, step ${o.firstStepSeconds.toFixed(2)} s`;
    const rows: Row[] = [
      measuredRow(
        { benchmark: "4 parquet-1m", subject: `1,000,000 rows (${(parquet.bytes / 2 ** 20).toFixed(0)} MB file)`, metric: "s to first step done", unit: "s", better: "lower" },
        big,
        (measured) => ({
          value: measured.totalSeconds,
          note: `${describe(measured)}${parquet.generatedSeconds ? `; file written in ${parquet.generatedSeconds.toFixed(0)} s (once)` : ""}`,
        }),
        { subject: refName, value: small.ok ? small.value.totalSeconds : null },
      ),
      measuredRow(
        { benchmark: "4 parquet-1m", subject: "1,000,000 rows", metric: "peak RSS MB", unit: "MB", better: "lower" },
        big,
        (measured) => ({
          value: measured.peakRssMB,
          note: `RSS ${measured.rssBeforeMB.toFixed(0)} MB before loadDataset (model loaded); highest sample ${measured.peakSampledRssMB.toFixed(0)} MB`,
        }),
        { subject: refName, value: small.ok ? small.value.peakRssMB : null },
      ),
    ];
    return {
      rows,
      details: { file: parquet, oneMillion: big.ok ? big.value : big.reason, stsbTrain: small.ok ? small.value : small.reason },
    };
  },
};

// ---------------------------------------------------------------- child-side task

export const parquetTasks = {
  async "first-step"(input: { model: string; path: string }): Promise<FirstStep> {
    const { Unavailable } = await import("./common.ts");
    const { loadModel, trainModel, memorySample, peakRssMB } = await import("./embedtune.ts");
    const { loadDataset } = await import("../src/index.ts");
    let peakSampled = 0;
    const sampler = setInterval(() => (peakSampled = Math.max(peakSampled, process.memoryUsage().rss)), 20);
    const modelStarted = performance.now();
    let engine: EngineName = "onnxruntime";
    let engineNote: string | undefined;
    let model;
    try {
      model = await loadModel(input.model, engine);
    } catch (error) {
      if (!(error instanceof Unavailable)) throw error;
      engine = "tfjs";
      engineNote = "onnxruntime unavailable";
      model = await loadModel(input.model, engine);
    }
    const modelLoadSeconds = (performance.now() - modelStarted) / 1000;
    const rssBeforeMB = memorySample().rssMB;

    const started = performance.now();
    const dataset = await loadDataset("parquet", { dataFiles: { train: input.path }, split: "train" });
    const loaded = performance.now();
    let trainBegin = 0;
    let firstStepDone = 0;
    const run = await trainModel(model, dataset, {
      batchSize: 16,
      maxSteps: 1,
      onTrainBegin: () => (trainBegin = performance.now()),
      onStep: () => (firstStepDone ||= performance.now()),
    });
    clearInterval(sampler);
    peakSampled = Math.max(peakSampled, process.memoryUsage().rss);
    return {
      engine,
      engineNote,
      rows: dataset.numRows,
      modelLoadSeconds,
      loadDatasetSeconds: (loaded - started) / 1000,
      trainerSeconds: (trainBegin - loaded) / 1000,
      firstStepSeconds: run.stepSeconds[0],
      totalSeconds: (firstStepDone - started) / 1000,
      rssBeforeMB,
      peakRssMB: peakRssMB(),
      peakSampledRssMB: peakSampled / 2 ** 20,
    };
  },
};
