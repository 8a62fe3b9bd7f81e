// 3. Encode throughput at batch 32 on the bge-small-shaped model (random weights), distinct STS-B train
// sentences in a fixed order: PyTorch (eval, no_grad) vs embedtune's onnxruntime engine
// (model.encode(sentences, { batchSize: 32 })) vs transformers.js' feature-extraction pipeline running
// the model exported by exportOnnx (onnx/model.onnx; pooling "cls" + normalize, as the model). All three
// sort by length (longest first) into the same batches, run one untimed warm-up batch, and include
// tokenisation in the timed loop. The three run in turn, round after round; each one's best round is
// reported. The first four sentences' embeddings are compared across the three.

import { join } from "node:path";
import { bestRound, describeRounds, interleaved, measuredRow, runNodeTask, scratchDir, type Benchmark, type Row } from "./common.ts";
import { ensureModel, sampleSentences } from "./fixtures.ts";
import { runTorch, torchLabel } from "./torch.ts";

const BATCH = 32;
const CHECK = 4;

interface Throughput {
  sentencesPerSecond: number;
  seconds: number;
  cpuSeconds: number;
  sentences: number;
  check: number[][];
  extra: Record<string, unknown>;
}

interface TorchEncode {
  sentences_per_second: number;
  seconds: number;
  cpu_seconds: number;
  sentences: number;
  mean_real_tokens: number;
  check_embeddings: number[][];
}

function maxAbsDiff(a: number[][] | undefined, b: number[][] | undefined): number | null {
  if (!a || !b || a.length !== b.length) return null;
  let max = 0;
  a.forEach((row, i) => row.forEach((value, j) => (max = Math.max(max, Math.abs(value - (b[i][j] ?? NaN))))));
  return Number.isNaN(max) ? null : max;
}

export const encodeThroughput: Benchmark = {
  name: "encode",
  title: "encode throughput, bge-small shape, batch 32",
  async run({ quick, rounds }) {
    const batches = quick ? 10 : 30;
    const model = await ensureModel("bge-small");
    const all = await sampleSentences(BATCH * (batches + 1));
    const warmup = all.slice(0, BATCH);
    const sentences = all.slice(BATCH);
    const check = sentences.slice(0, CHECK);
    const input = { model, sentences, warmup, check, exportDir: join(scratchDir("export"), "bge-small-onnx") };
    const label = (subject: string) => (round: number) => `${subject} encode (${sentences.length} sentences, round ${round + 1}/${rounds})`;
    const measured = await interleaved(rounds, {
      torch: (round) =>
        runTorch<TorchEncode>("encode", { model, sentences, warmup: [warmup], batch_size: BATCH, check }, { label: label("PyTorch bge-small")(round), timeoutSeconds: 300 }),
      ort: (round) => runNodeTask<Throughput>("encode-engine", input, { label: label("embedtune onnxruntime")(round), timeoutSeconds: 300 }),
      tjs: (round) => runNodeTask<Throughput>("encode-transformersjs", input, { label: label("exportOnnx + transformers.js")(round), timeoutSeconds: 300 }),
    });
    const torch = bestRound(measured.torch, (value) => value.sentences_per_second, "higher");
    const ort = bestRound(measured.ort, (value) => value.sentencesPerSecond, "higher");
    const tjs = bestRound(measured.tjs, (value) => value.sentencesPerSecond, "higher");

    const reference = torch.ok ? torch.value.sentences_per_second : null;
    const torchCheck = torch.ok ? torch.value.check_embeddings : undefined;
    const base = { benchmark: "3 encode", metric: "sentences/s", unit: "sent/s", better: "higher" as const };
    const rows: Row[] = [
      measuredRow({ ...base, subject: torchLabel() }, torch, (measured) => ({
        value: measured.sentences_per_second,
        note: [
          describeRounds(measured.roundScores, "sent/s", 0),
          `${measured.sentences} sentences in ${measured.seconds.toFixed(2)} s (CPU ${measured.cpu_seconds.toFixed(2)} s), ${measured.mean_real_tokens.toFixed(1)} real tokens/sentence`,
        ].filter(Boolean).join("; "),
      })),
    ];
    const outcomes: [string, typeof ort][] = [
      ["embedtune onnxruntime", ort],
      ["transformers.js (exportOnnx model)", tjs],
    ];
    for (const [subject, outcome] of outcomes) {
      const measure = (measured: Throughput & { roundScores: number[] }) => {
        const vsTorch = maxAbsDiff(measured.check, torchCheck);
        const vsOrt = subject.startsWith("transformers") && ort.ok ? maxAbsDiff(measured.check, ort.value.check) : null;
        const note = [
          describeRounds(measured.roundScores, "sent/s", 0),
          `${measured.sentences} sentences in ${measured.seconds.toFixed(2)} s (CPU ${measured.cpuSeconds.toFixed(2)} s)`,
          vsTorch === null ? undefined : `max |Δ| vs PyTorch ${vsTorch.toExponential(1)}`,
          vsOrt === null ? undefined : `vs ORT engine ${vsOrt.toExponential(1)}`,
          typeof measured.extra.exportSeconds === "number" ? `export ${measured.extra.exportSeconds.toFixed(1)} s` : undefined,
        ];
        return { value: measured.sentencesPerSecond, note: note.filter(Boolean).join("; ") };
      };
      rows.push(measuredRow({ ...base, subject }, outcome, measure, { subject: torchLabel(), value: reference }));
    }
    return {
      rows,
      details: {
        batches,
        batchSize: BATCH,
        rounds,
        torch: torch.ok ? { ...torch.value, check_embeddings: undefined } : torch.reason,
        onnxruntime: ort.ok ? { ...ort.value, check: undefined } : ort.reason,
        transformersJs: tjs.ok ? { ...tjs.value, check: undefined } : tjs.reason,
      },
    };
  },
};

// ---------------------------------------------------------------- child-side tasks

interface EncodeInput {
  model: string;
  sentences: string[];
  warmup: string[];
  check: string[];
  exportDir: string;
}

export const encodeTasks = {
  async "encode-engine"(input: EncodeInput): Promise<Throughput> {
    const { loadModel, engineProvider, cpuSeconds } = await import("./embedtune.ts");
    const model = await loadModel(input.model, "onnxruntime");
    await model.encode(input.warmup, { batchSize: BATCH });
    const started = performance.now();
    const startedCpu = cpuSeconds();
    await model.encode(input.sentences, { batchSize: BATCH });
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSeconds() - startedCpu;
    const check = await model.encode(input.check, { batchSize: BATCH });
    return { sentencesPerSecond: input.sentences.length / seconds, seconds, cpuSeconds: cpu, sentences: input.sentences.length, check, extra: { provider: engineProvider(model) } };
  },

  async "encode-transformersjs"(input: EncodeInput): Promise<Throughput> {
    const { Unavailable } = await import("./common.ts");
    const { loadModel, ENGINE_UNAVAILABLE, cpuSeconds } = await import("./embedtune.ts");
    let exportOnnx: (model: unknown, directory: string) => Promise<unknown>;
    try {
      ({ exportOnnx } = (await import("../src/engines/onnxruntime/export.ts")) as unknown as { exportOnnx: typeof exportOnnx });
      if (typeof exportOnnx !== "function") throw new Error("no exportOnnx");
    } catch {
      throw new Unavailable(`${ENGINE_UNAVAILABLE}: no exportOnnx`);
    }
    // The export reads the weights only; the tfjs engine is enough to hold them.
    const model = await loadModel(input.model, "tfjs");
    const exportStarted = performance.now();
    await exportOnnx(model, input.exportDir);
    const exportSeconds = (performance.now() - exportStarted) / 1000;
    model.dispose();

    const transformers = await import("@huggingface/transformers");
    transformers.env.allowRemoteModels = false;
    transformers.env.allowLocalModels = true;
    transformers.env.localModelPath = join(input.exportDir, "..");
    const name = input.exportDir.split("/").at(-1)!;
    const loadStarted = performance.now();
    const extractor = await transformers.pipeline("feature-extraction", name, { dtype: "fp32", local_files_only: true });
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const embed = async (texts: string[]) => {
      const ordered = [...texts].sort((a, b) => b.length - a.length);
      for (let start = 0; start < ordered.length; start += BATCH) {
        const output = await extractor(ordered.slice(start, start + BATCH), { pooling: "cls", normalize: true });
        output.dispose?.();
      }
    };
    await embed(input.warmup);
    const started = performance.now();
    const startedCpu = cpuSeconds();
    await embed(input.sentences);
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSeconds() - startedCpu;
    const checkOutput = await extractor(input.check, { pooling: "cls", normalize: true });
    const check = checkOutput.tolist() as number[][];
    return {
      sentencesPerSecond: input.sentences.length / seconds,
      seconds,
      cpuSeconds: cpu,
      sentences: input.sentences.length,
      check,
      extra: { exportSeconds, pipelineLoadSeconds: loadSeconds, transformersJs: transformers.env.version },
    };
  },
};
