// 7. Information-retrieval evaluation throughput: InformationRetrievalEvaluator.evaluate(model) over a
// retrieval set — queries encoded per second, corpus passages encoded per second, and the time of the rest
// (cosine scores of every query against every passage, the top 100 kept per query, ST's metrics) — on
// embedtune's onnxruntime and tfjs engines, against PyTorch doing the same work on the same model folder
// and texts (bench/torch_ref.py `ir`: encode, util.cos_sim, torch.topk, compute_metrics). The set is
// ../shared/data/squad-retrieval with ../shared/models/tiny-bert-uncased where both exist (1,023 queries,
// 1,023 Wikipedia paragraphs), else the project's data/retrieval with the embedded default model. Texts come
// from loadRetrievalData, so both sides see the same corpus strings. embedtune's encode calls are timed from
// inside evaluate() (the model's encode wrapped), so its stages are the evaluator's own; one untimed warm-up
// batch on each side. The metrics of both sides are compared (max |Δ| over every key). Subjects run in
// turn, round after round; each one's fastest round (evaluate() wall time) is reported.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { bestRound, describeRounds, interleaved, measuredRow, PROJECT_ROOT, runNodeTask, scratchDir, SHARED_DIR, type Benchmark, type Outcome, type Row } from "./common.ts";
import type { EngineName } from "./embedtune.ts";
import { runTorch, torchLabel } from "./torch.ts";

const BATCH = 32;
/** Queries whose top-10 ids are compared across the sides. */
const CHECK = 50;

interface RetrievalSet {
  label: string;
  model: string | undefined;
  queries: Record<string, string>;
  corpus: Record<string, string>;
  relevantDocs: Record<string, string[]>;
}

interface Stages {
  queries: number;
  corpus: number;
  querySeconds: number;
  corpusSeconds: number;
  searchSeconds: number;
  totalSeconds: number;
  cpuSeconds: number;
  /** Metric keys without the evaluator's name: cosine_ndcg@10, … */
  metrics: Record<string, number>;
  topIds: string[][];
  note?: string;
}

interface TorchIr {
  queries: number;
  corpus: number;
  query_seconds: number;
  corpus_seconds: number;
  search_seconds: number;
  total_seconds: number;
  cpu_seconds: number;
  metrics: Record<string, number>;
  top_ids: string[][];
}

/** The shared SQuAD set with the shared tiny BERT, else the project's own set with the default model. */
async function retrievalSet(): Promise<RetrievalSet> {
  const { loadRetrievalData } = await import("../src/data/retrieval-data.ts");
  const squad = join(SHARED_DIR, "data", "squad-retrieval");
  const tinyBert = join(SHARED_DIR, "models", "tiny-bert-uncased");
  const shared = existsSync(join(squad, "corpus.parquet")) && existsSync(join(tinyBert, "model.safetensors"));
  const directory = shared ? squad : join(PROJECT_ROOT, "data", "retrieval");
  const data = await loadRetrievalData(directory);
  const relevantDocs = Object.fromEntries(Object.entries(data.relevantDocs).map(([id, docs]) => [id, [...docs]]));
  return {
    label: shared ? "SQuAD retrieval, tiny-bert-uncased" : "data/retrieval, default model",
    model: shared ? tinyBert : undefined,
    queries: data.queries,
    corpus: data.corpus,
    relevantDocs,
  };
}

function maxMetricDifference(a: Record<string, number>, b: Record<string, number>): number | null {
  const keys = Object.keys(b).filter((key) => key in a);
  if (keys.length === 0) return null;
  return Math.max(...keys.map((key) => Math.abs(a[key] - b[key])));
}

/** Share of the checked queries whose top-10 ids are the same list on both sides. */
function sameTopTen(a: string[][], b: string[][]): number | null {
  const n = Math.min(a.length, b.length);
  if (n === 0) return null;
  let same = 0;
  for (let i = 0; i < n; i++) if (a[i].join("\n") === b[i].join("\n")) same++;
  return same / n;
}

export const irEval: Benchmark = {
  name: "ir-eval",
  title: "InformationRetrievalEvaluator throughput (encode queries, encode corpus, top-k + metrics)",
  async run({ rounds }) {
    const set = await retrievalSet();
    const model = set.model ?? (await runNodeTask<string>("ir-eval-default-model", { cache: scratchDir("default-model-cache") }, { label: "the default model", timeoutSeconds: 300 }));
    const checkIds = Object.keys(set.queries).filter((id) => set.relevantDocs[id]?.length).slice(0, CHECK);
    const input = { model, queries: set.queries, corpus: set.corpus, relevantDocs: set.relevantDocs, batchSize: BATCH, checkIds };
    const size = `${Object.keys(set.queries).length} queries, ${Object.keys(set.corpus).length} passages`;
    const label = (subject: string) => (round: number) => `${subject} IR evaluation (${size}, round ${round + 1}/${rounds})`;
    const engine = (name: EngineName) => (round: number) => runNodeTask<Stages>("ir-eval-embedtune", { ...input, engine: name }, { label: label(`embedtune ${name}`)(round), timeoutSeconds: 600 });
    const measured = await interleaved(rounds, {
      torch: async (round): Promise<Stages> => {
        const value = await runTorch<TorchIr>("ir", { model, queries: set.queries, corpus: set.corpus, relevant_docs: set.relevantDocs, batch_size: BATCH, check_ids: checkIds }, { label: label("PyTorch")(round), timeoutSeconds: 600 });
        return {
          queries: value.queries,
          corpus: value.corpus,
          querySeconds: value.query_seconds,
          corpusSeconds: value.corpus_seconds,
          searchSeconds: value.search_seconds,
          totalSeconds: value.total_seconds,
          cpuSeconds: value.cpu_seconds,
          metrics: value.metrics,
          topIds: value.top_ids,
        };
      },
      onnxruntime: engine("onnxruntime"),
      tfjs: engine("tfjs"),
    });
    const best = (outcomes: Outcome<Stages>[]) => bestRound(outcomes, (value) => value.totalSeconds, "lower");
    const torch = best(measured.torch);
    const subjects: [string, Outcome<Stages & { roundScores: number[] }>][] = [
      ["embedtune onnxruntime", best(measured.onnxruntime)],
      ["embedtune tfjs", best(measured.tfjs)],
    ];

    const rows: Row[] = [];
    const stage = (metric: string, unit: string, better: "higher" | "lower", figure: (value: Stages) => number, detail?: (value: Stages) => string) => {
      const base = { benchmark: "7 ir-eval", metric, unit, better };
      const reference = { subject: torchLabel(), value: torch.ok ? figure(torch.value) : null };
      rows.push(measuredRow({ ...base, subject: torchLabel() }, torch, (value) => ({ value: figure(value), note: detail?.(value) })));
      for (const [subject, outcome] of subjects) rows.push(measuredRow({ ...base, subject }, outcome, (value) => ({ value: figure(value), note: detail?.(value) }), reference));
    };
    stage("queries encoded/s", "q/s", "higher", (v) => v.queries / v.querySeconds, (v) => `${v.queries} queries in ${v.querySeconds.toFixed(2)} s`);
    stage("passages encoded/s", "passages/s", "higher", (v) => v.corpus / v.corpusSeconds, (v) => `${v.corpus} passages in ${v.corpusSeconds.toFixed(2)} s`);
    stage("top-k + metrics", "s", "lower", (v) => v.searchSeconds, () => `${size}, top 100 per query, cosine`);
    stage("evaluate() total", "s", "lower", (v) => v.totalSeconds, (v) => {
      const ndcg = v.metrics["cosine_ndcg@10"];
      const parts = [
        describeRounds((v as Stages & { roundScores?: number[] }).roundScores ?? [], "s"),
        `${set.label}; CPU ${v.cpuSeconds.toFixed(2)} s`,
        ndcg === undefined ? undefined : `ndcg@10 ${ndcg.toFixed(4)}`,
      ];
      if (torch.ok && v !== torch.value) {
        const delta = maxMetricDifference(v.metrics, torch.value.metrics);
        const same = sameTopTen(v.topIds, torch.value.topIds);
        if (delta !== null) parts.push(`max |Δ metric| vs PyTorch ${delta.toExponential(1)}`);
        if (same !== null) parts.push(`same top-10 as PyTorch for ${Math.round(same * 100)} % of ${Math.min(v.topIds.length, torch.value.topIds.length)} queries`);
      }
      if (v.note) parts.push(v.note);
      return parts.filter(Boolean).join("; ");
    });
    const strip = (outcome: Outcome<Stages>) => (outcome.ok ? { ...outcome.value, topIds: undefined } : outcome.reason);
    return {
      rows,
      details: { set: set.label, model, batchSize: BATCH, rounds, torch: strip(torch), onnxruntime: strip(subjects[0][1]), tfjs: strip(subjects[1][1]) },
    };
  },
};

// ---------------------------------------------------------------- child-side tasks

interface IrInput {
  model: string;
  engine: EngineName;
  queries: Record<string, string>;
  corpus: Record<string, string>;
  relevantDocs: Record<string, string[]>;
  batchSize: number;
  checkIds: string[];
}

export const irEvalTasks = {
  async "ir-eval-default-model"(input: { cache: string }): Promise<string> {
    process.env.EMBEDTUNE_CACHE = input.cache;
    const { ensureDefaultModel } = await import("../src/generator/default-model.ts");
    return ensureDefaultModel({ quiet: true });
  },

  async "ir-eval-embedtune"(input: IrInput): Promise<Stages> {
    const { loadModel, cpuSeconds } = await import("./embedtune.ts");
    const { InformationRetrievalEvaluator } = await import("../src/evaluation/information-retrieval.ts");
    const model = await loadModel(input.model, input.engine);
    const queryTexts = Object.values(input.queries);
    await model.encode(queryTexts.slice(0, input.batchSize), { batchSize: input.batchSize });
    // Every encode call the evaluator makes, timed: the queries first, then the corpus (in chunks).
    const calls: { sentences: number; seconds: number }[] = [];
    const encode = model.encode.bind(model);
    model.encode = (async (sentences: string[], options?: object) => {
      const started = performance.now();
      const result = await encode(sentences, options);
      calls.push({ sentences: sentences.length, seconds: (performance.now() - started) / 1000 });
      return result;
    }) as typeof model.encode;
    const evaluator = new InformationRetrievalEvaluator(input.queries, input.corpus, input.relevantDocs, { name: "bench", batchSize: input.batchSize });
    const started = performance.now();
    const startedCpu = cpuSeconds();
    const results = await evaluator.evaluate(model);
    const totalSeconds = (performance.now() - started) / 1000;
    const cpu = cpuSeconds() - startedCpu;
    const queries = Object.keys(input.queries).filter((id) => (input.relevantDocs[id] ?? []).length > 0).length;
    const [queryCall, ...corpusCalls] = calls;
    const encodedCorpus = corpusCalls.reduce((sum, call) => sum + call.sentences, 0);
    const corpusSeconds = corpusCalls.reduce((sum, call) => sum + call.seconds, 0);
    const metrics = Object.fromEntries(Object.entries(results).map(([key, value]) => [key.replace(/^bench_/, ""), value]));
    const rankings = evaluator.lastRankings as Record<string, { corpusId: string }[]> | undefined;
    const topIds = input.checkIds.map((id) => (rankings?.[id] ?? []).slice(0, 10).map((hit) => hit.corpusId));
    model.dispose();
    return {
      queries,
      corpus: Object.keys(input.corpus).length,
      querySeconds: queryCall?.seconds ?? NaN,
      corpusSeconds,
      searchSeconds: totalSeconds - (queryCall?.seconds ?? 0) - corpusSeconds,
      totalSeconds,
      cpuSeconds: cpu,
      metrics,
      topIds,
      note: queryCall?.sentences === queries && encodedCorpus === Object.keys(input.corpus).length ? undefined : `encode calls: ${calls.map((call) => call.sentences).join(", ")}`,
    };
  },
};
