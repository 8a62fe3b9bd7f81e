// 9–12. Training steps of the other model families at released models' shapes (random weights, folders from
// family-fixtures.ts), embedtune's onnxruntime engine vs PyTorch in the same invocation:
//   e5-small         multilingual-e5-small's shape (BERT, 12 × 384, 250,037-token vocabulary, XLM-R tokenizer):
//                    the 16 STS-B train pairs of train-step at their real token lengths
//   modernbert-512   ModernBERT-base's shape (22 × 768, GLU, local window 128 / global every 3rd layer): 2 pairs,
//                    every text cut to 512 tokens
//   modernbert-2048  the same at 2,048 tokens with 1 pair (2 pairs need ~18 GB for PyTorch's 22 layers of
//                    2 × 12 × 2048² attention probabilities alone); CoSENT's loss is then 0, yet the forward,
//                    backward and AdamW run in full
//   xlm-roberta-base XLM-R base's shape (250,002 vocabulary, 278M parameters): load, encode the 16 sentence1s once
//                    (no_grad), then training steps of the 16 pairs; the seconds of each and the process's peak RSS
// Every step is CoSENT + AdamW (lr 2e-5, weight decay 0.01, warmup 10 %, clipping 1.0), dropout as the config says.
// PyTorch runs bench/torch_ref.py's `family` task: the family's model class and loader from
// ../shared/reference/torch/families/<family>/<family>_ref.py (bert_ref.py for e5-small's BERT) on the token ids
// embedtune's tokenizer makes for the same texts (the reference tokenizers need files these random tokenizers do
// not have: sentencepiece's .model, and python3-regex for ModernBERT's byte-level BPE). So PyTorch's step times
// leave tokenisation out; embedtune's (between the trainer's "step" events) keep it in. Peak RSS is the
// process's VmHWM on both sides (load included). Median s/step after the warm-ups; steps and rounds in SUBJECTS.

import { bestRound, describeRounds, interleaved, measuredRow, median, runNodeTask, type Benchmark, type Outcome, type Row } from "./common.ts";
import { ensureFamilyModel, type FamilyModelName } from "./family-fixtures.ts";
import { samplePairs, type PairRow } from "./fixtures.ts";
import { runTorch, torchLabel } from "./torch.ts";

interface Subject {
  name: string;
  title: string;
  model: FamilyModelName;
  /** The PyTorch reference module: bert_ref.py or families/<family>/<family>_ref.py. */
  torchFamily: "bert" | "xlm-roberta" | "modernbert";
  pairs: number;
  /** Texts made long enough to be cut to exactly this many tokens; undefined: STS-B's real lengths. */
  seqLength?: number;
  /** Time one encode batch (the 16 sentence1s) between load and training. */
  encode: boolean;
  warmup: (quick: boolean) => number;
  steps: (quick: boolean) => number;
  /** Interleaved rounds (the long steps run once). */
  rounds: (quick: boolean, rounds: number) => number;
  timeoutSeconds: number;
}

const SUBJECTS: Subject[] = [
  { name: "e5-small", title: "multilingual-e5-small shape", model: "e5-small", torchFamily: "bert", pairs: 16, encode: false, warmup: () => 2, steps: (quick) => (quick ? 3 : 10), rounds: (quick, rounds) => (quick ? 1 : rounds), timeoutSeconds: 600 },
  { name: "modernbert-512", title: "ModernBERT-base shape, 512 tokens", model: "modernbert-base", torchFamily: "modernbert", pairs: 2, seqLength: 512, encode: false, warmup: () => 1, steps: (quick) => (quick ? 1 : 3), rounds: () => 1, timeoutSeconds: 1800 },
  { name: "modernbert-2048", title: "ModernBERT-base shape, 2,048 tokens", model: "modernbert-base", torchFamily: "modernbert", pairs: 1, seqLength: 2048, encode: false, warmup: (quick) => (quick ? 0 : 1), steps: (quick) => (quick ? 1 : 2), rounds: () => 1, timeoutSeconds: 3600 },
  { name: "xlm-roberta-base", title: "XLM-R base shape (278M parameters): load, encode, train", model: "xlm-roberta-base", torchFamily: "xlm-roberta", pairs: 16, encode: true, warmup: () => 0, steps: (quick) => (quick ? 1 : 2), rounds: () => 1, timeoutSeconds: 1800 },
];

/** STS-B sentences joined this many at a time: ~7,000 characters, past 2,048 tokens of the ModernBERT tokenizer. */
const SENTENCES_PER_LONG_TEXT = 120;

interface TokenSide {
  ids: number[][];
  mask: number[][];
}

interface TorchFamily {
  load_seconds: number;
  parameters: number;
  encode_seconds?: number;
  peak_rss_after_encode_mb?: number;
  step_seconds: number[];
  median_seconds: number;
  median_cpu_seconds: number;
  losses: number[];
  padded_lengths: number[];
  peak_rss_mb: number;
}

interface EngineFamily {
  provider?: string;
  loadSeconds: number;
  encodeSeconds?: number;
  peakRssAfterEncodeMB?: number;
  stepSeconds: number[];
  medianSeconds: number;
  medianCpuSeconds: number;
  paddedLengths: number[];
  losses: number[];
  peakRssMB: number;
}

/** The subject's pairs: train-step's 16 STS-B pairs, or long texts (many STS-B sentences joined) to be cut to seqLength. */
export async function subjectPairs(subject: Pick<Subject, "pairs" | "seqLength">): Promise<PairRow[]> {
  if (subject.seqLength === undefined) return samplePairs(subject.pairs);
  const rows = await samplePairs(subject.pairs * SENTENCES_PER_LONG_TEXT, 2028);
  return Array.from({ length: subject.pairs }, (_, i) => {
    const chunk = rows.slice(i * SENTENCES_PER_LONG_TEXT, (i + 1) * SENTENCES_PER_LONG_TEXT);
    return { sentence1: chunk.map((r) => r.sentence1).join(" "), sentence2: chunk.map((r) => r.sentence2).join(" "), score: chunk[0].score };
  });
}

const spread = (seconds: number[]) => (seconds.length > 1 ? ` (${Math.min(...seconds).toFixed(2)}–${Math.max(...seconds).toFixed(2)} s)` : "");
const timedNote = (all: number[], warmup: number) => `${all.length - warmup} timed step${all.length - warmup === 1 ? "" : "s"} after ${warmup} warm-up${spread(all.slice(warmup))}`;

async function measureSubject(subject: Subject, benchmark: string, quick: boolean, roundsOption: number): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const model = await ensureFamilyModel(subject.model);
  const pairs = await subjectPairs(subject);
  const steps = subject.steps(quick);
  const warmup = subject.warmup(quick);
  const rounds = subject.rounds(quick, roundsOption);
  const tokens = await runNodeTask<{ a: TokenSide; b: TokenSide }>(
    "family-tokens",
    { model, seqLength: subject.seqLength, sentences1: pairs.map((p) => p.sentence1), sentences2: pairs.map((p) => p.sentence2) },
    { label: `embedtune tokenizer of ${subject.name}`, timeoutSeconds: 300 },
  );
  const roundLabel = (round: number) => (rounds > 1 ? `, round ${round + 1}/${rounds}` : "");
  const measured = await interleaved(rounds, {
    torch: (round) =>
      runTorch<TorchFamily>(
        "family",
        { family: subject.torchFamily, model, a: tokens.a, b: tokens.b, labels: pairs.map((p) => p.score), encode: subject.encode, warmup, steps, lr: 2e-5 },
        { label: `PyTorch ${subject.name} (${warmup}+${steps} steps${roundLabel(round)})`, timeoutSeconds: subject.timeoutSeconds },
      ),
    ort: (round) =>
      runNodeTask<EngineFamily>(
        "family-step",
        { model, pairs, seqLength: subject.seqLength, encode: subject.encode, warmup, steps },
        { label: `embedtune onnxruntime ${subject.name} (${warmup}+${steps} steps${roundLabel(round)})`, timeoutSeconds: subject.timeoutSeconds },
      ),
  });
  const torch = bestRound(measured.torch, (v) => v.median_seconds, "lower");
  const ort = bestRound(measured.ort, (v) => v.medianSeconds, "lower");
  const torchName = torchLabel();
  const ortName = `embedtune onnxruntime${ort.ok && ort.value.provider ? ` (${ort.value.provider})` : ""}`;
  const shape = `${pairs.length} pair${pairs.length === 1 ? "" : "s"}, padded ${tokens.a.ids[0].length}/${tokens.b.ids[0].length} tokens`;
  const rows: Row[] = [];
  const pairOfRows = (metric: string, unit: string, torchValue: (v: TorchFamily) => number | undefined, ortValue: (v: EngineFamily) => number | undefined, notes: { torch?: (v: TorchFamily & { roundScores: number[] }) => string; ort?: (v: EngineFamily & { roundScores: number[] }) => string }) => {
    const reference = torch.ok ? (torchValue(torch.value) ?? null) : null;
    rows.push(measuredRow({ benchmark, subject: torchName, metric, unit, better: "lower" }, torch, (v) => ({ value: torchValue(v)!, note: notes.torch?.(v) })));
    rows.push(measuredRow({ benchmark, subject: ortName, metric, unit, better: "lower" }, ort, (v) => ({ value: ortValue(v)!, note: notes.ort?.(v) }), { subject: torchName, value: reference }));
  };
  if (subject.encode) {
    pairOfRows("load s", "s", (v) => v.load_seconds, (v) => v.loadSeconds, { torch: (v) => `${(v.parameters / 1e6).toFixed(1)}M parameters` });
    pairOfRows(`encode ${pairs.length} sentences s`, "s", (v) => v.encode_seconds, (v) => v.encodeSeconds, {
      torch: (v) => `peak RSS after load + encode ${v.peak_rss_after_encode_mb?.toFixed(0)} MB`,
      ort: (v) => `peak RSS after load + encode ${v.peakRssAfterEncodeMB?.toFixed(0)} MB`,
    });
  }
  pairOfRows(
    warmup === 0 ? "first step s (median of the steps)" : "median s/step",
    "s",
    (v) => v.median_seconds,
    (v) => v.medianSeconds,
    {
      torch: (v) => `${describeRounds(v.roundScores, "s")}${v.roundScores.length > 1 ? "; " : ""}${shape}; ${timedNote(v.step_seconds, warmup)}; CPU ${v.median_cpu_seconds.toFixed(2)} s/step; token ids from embedtune's tokenizer`,
      ort: (v) => `${describeRounds(v.roundScores, "s")}${v.roundScores.length > 1 ? "; " : ""}padded ${v.paddedLengths.join("/")}; ${timedNote(v.stepSeconds, warmup)}; CPU ${v.medianCpuSeconds.toFixed(2)} s/step; tokenisation inside`,
    },
  );
  pairOfRows("peak RSS (VmHWM)", "MB", (v) => v.peak_rss_mb, (v) => v.peakRssMB, {
    torch: (v) => `load ${v.load_seconds.toFixed(1)} s`,
    ort: (v) => `load ${v.loadSeconds.toFixed(1)} s`,
  });
  const detail = (outcome: Outcome<unknown>) => (outcome.ok ? outcome.value : outcome.reason);
  return { rows, details: { model, pairs: pairs.length, seqLength: subject.seqLength ?? null, paddedLengths: [tokens.a.ids[0].length, tokens.b.ids[0].length], warmup, steps, rounds, torch: detail(torch), onnxruntime: detail(ort) } };
}

/** One benchmark per subject, numbered after the eight others: `--only family-step` selects them all. */
export const familySteps: Benchmark[] = SUBJECTS.map((subject, i) => ({
  name: `family-step/${subject.name}`,
  title: `${subject.title} vs PyTorch`,
  run: ({ quick, rounds }) => measureSubject(subject, `${9 + i} family-step/${subject.name}`, quick, rounds),
}));

// ---------------------------------------------------------------- child-side tasks

export const familyStepTasks = {
  /** The padded token ids and masks embedtune's tokenizer gives the two sides (PyTorch trains on these). */
  async "family-tokens"(input: { model: string; seqLength?: number; sentences1: string[]; sentences2: string[] }): Promise<{ a: TokenSide; b: TokenSide }> {
    const { readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { SentenceTokenizer } = await import("../src/models/tokenizer.ts");
    const tokenizer = SentenceTokenizer.load(input.model);
    const sentenceConfig = JSON.parse(readFileSync(join(input.model, "sentence_bert_config.json"), "utf8")) as { max_seq_length: number; do_lower_case?: boolean };
    const side = (texts: string[]): TokenSide => {
      const batch = tokenizer.encodeBatch(texts, { maxSeqLength: input.seqLength ?? sentenceConfig.max_seq_length, doLowerCase: sentenceConfig.do_lower_case === true });
      const rows = (values: Int32Array) => Array.from({ length: batch.batchSize }, (_, i) => Array.from(values.subarray(i * batch.seqLength, (i + 1) * batch.seqLength)));
      return { ids: rows(batch.inputIds), mask: rows(batch.attentionMask) };
    };
    return { a: side(input.sentences1), b: side(input.sentences2) };
  },

  async "family-step"(input: { model: string; pairs: PairRow[]; seqLength?: number; encode: boolean; warmup: number; steps: number }): Promise<EngineFamily> {
    const { loadModel, engineProvider, pairDataset, trainModel, peakRssMB } = await import("./embedtune.ts");
    const loadStarted = performance.now();
    const model = await loadModel(input.model, "onnxruntime");
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    if (input.seqLength !== undefined) model.maxSeqLength = input.seqLength;
    const paddedLengths = [model.tokenize(input.pairs.map((p) => p.sentence1)).seqLength, model.tokenize(input.pairs.map((p) => p.sentence2)).seqLength];
    let encodeSeconds: number | undefined;
    let peakRssAfterEncodeMB: number | undefined;
    if (input.encode) {
      const started = performance.now();
      await model.encode(input.pairs.map((p) => p.sentence1), { batchSize: input.pairs.length });
      encodeSeconds = (performance.now() - started) / 1000;
      peakRssAfterEncodeMB = peakRssMB();
    }
    const run = await trainModel(model, pairDataset(input.pairs), { batchSize: input.pairs.length, maxSteps: input.warmup + input.steps, learningRate: 2e-5 });
    const timed = (values: number[]) => median(values.slice(input.warmup).length > 0 ? values.slice(input.warmup) : values);
    return {
      provider: engineProvider(model),
      loadSeconds,
      encodeSeconds,
      peakRssAfterEncodeMB,
      stepSeconds: run.stepSeconds,
      medianSeconds: timed(run.stepSeconds),
      medianCpuSeconds: timed(run.stepCpuSeconds),
      paddedLengths,
      losses: run.losses,
      peakRssMB: peakRssMB(),
    };
  },
};
