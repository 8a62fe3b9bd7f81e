// export-script (issue 14 part 4): the exported train.py compiles, and run by python3 against stand-in
// sentence_transformers / datasets / transformers / torch packages (test/scaleout/standin/: the real
// constructors' parameter names and defaults, recording what each call is given) it passes exactly the run's
// model, loss (class and parameters), training arguments under their Python names, evaluator and data (rows
// read back from the parquet files equal the trainer's datasets). Also: a loss without a Python equivalent
// is one line; the CLI with --args and with --run; --out over a user's files is refused.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Dataset } from "../../src/data/dataset.ts";
import { writeParquet } from "../../src/data/parquet.ts";
import { ArgumentError } from "../../src/errors.ts";
import { EmbeddingSimilarityEvaluator } from "../../src/evaluation/embedding-similarity.ts";
import { InformationRetrievalEvaluator } from "../../src/evaluation/information-retrieval.ts";
import { CoSENTLoss } from "../../src/losses/cosent.ts";
import { CosineSimilarityLoss } from "../../src/losses/cosine-similarity.ts";
import { GISTEmbedLoss } from "../../src/losses/gist-embed.ts";
import { MatryoshkaLoss } from "../../src/losses/matryoshka.ts";
import { MultipleNegativesRankingLoss } from "../../src/losses/multiple-negatives-ranking.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { readArgsFile } from "../../src/scaleout/args-file.ts";
import { pythonTrainingArguments } from "../../src/scaleout/argument-names.ts";
import { exportTrainingScript, writeScriptFolder } from "../../src/scaleout/export.ts";
import { SentenceTransformerTrainingArguments, type TrainingArgumentsInit } from "../../src/training/arguments.ts";
import { BatchSamplers } from "../../src/training/samplers.ts";
import { SentenceTransformerTrainer } from "../../src/training/trainer.ts";
import { freshTinyModel, tinyModelTemplate } from "../support/model-fixtures.ts";
import { corpusPairScores } from "../support/pair-scores.ts";
import { projectRoot } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";

const STANDIN = join(projectRoot, "test/scaleout/standin");
const python = spawnSync("python3", ["-c", "import pyarrow"], { encoding: "utf8" });
const skipPython = python.status === 0 ? false : "python3 with pyarrow is needed to run the exported script against the stand-ins (apt-get install python3-pyarrow)";

type Call = { class?: string; given?: Record<string, unknown>; [event: string]: unknown };

/** py_compile, then runs train.py against the stand-ins; returns the recorded calls. */
function runScript(folder: string): Call[] {
  const compiled = spawnSync("python3", ["-m", "py_compile", join(folder, "train.py")], { encoding: "utf8" });
  assert.equal(compiled.status, 0, compiled.stderr);
  const record = join(temporaryDirectory("embedtune-standin-"), "record.json");
  const run = spawnSync("python3", [join(folder, "train.py")], {
    cwd: temporaryDirectory("embedtune-script-cwd-"),
    encoding: "utf8",
    env: { ...process.env, PYTHONPATH: STANDIN, STANDIN_RECORD: record, PYTHONDONTWRITEBYTECODE: "1" },
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(readFileSync(record, "utf8")) as Call[];
}

function callOf(calls: Call[], className: string): Record<string, unknown> {
  const found = calls.filter((call) => call.class === className);
  assert.equal(found.length, 1, `one ${className} call, got ${found.length}`);
  return found[0].given!;
}

function rowsOf(dataset: Dataset): Record<string, unknown>[] {
  return [...dataset.rows()];
}

async function loadTiny(): Promise<{ model: SentenceTransformer; path: string }> {
  const path = await tinyModelTemplate();
  return { model: await SentenceTransformer.load(path, { quiet: true }), path };
}

function modelRecord(path: string): Record<string, unknown> {
  return { class: "SentenceTransformer", given: { model_name_or_path: path } };
}

function args(overrides: Partial<TrainingArgumentsInit>): SentenceTransformerTrainingArguments {
  return new SentenceTransformerTrainingArguments({ outputDir: "runs/exported", disableTqdm: true, saveStrategy: "no", ...overrides });
}

test("CoSENT default run: model, CoSENTLoss(scale 20, pairwise_cos_sim), every non-default argument, the data and the evaluator reach sentence-transformers", { skip: skipPython }, async () => {
  const { model, path } = await loadTiny();
  const trainDataset = corpusPairScores(0, 24);
  const evalDataset = corpusPairScores(100, 8);
  const evaluator = new EmbeddingSimilarityEvaluator(
    evalDataset.column("sentence1") as string[],
    evalDataset.column("sentence2") as string[],
    evalDataset.column("score") as number[],
    { name: "sts-dev" },
  );
  const trainer = new SentenceTransformerTrainer({
    model,
    args: args({ numTrainEpochs: 2, perDeviceTrainBatchSize: 4, learningRate: 1e-3, warmupRatio: 0.1, evalStrategy: "steps", evalSteps: 3, seed: 7, engine: "tfjs", lrSchedulerType: "cosine" }),
    trainDataset,
    evalDataset,
    loss: new CoSENTLoss(model),
    evaluator,
  });
  const out = join(temporaryDirectory("embedtune-export-"), "script");
  const result = await exportTrainingScript(trainer, out);
  assert.deepEqual(result.files, ["README.md", "data/eval.parquet", "data/evaluator-0.json", "data/train.parquet", "requirements.txt", "train.py"]);
  const calls = runScript(out);

  assert.deepEqual(callOf(calls, "SentenceTransformer"), { model_name_or_path: path });
  assert.deepEqual(calls.find((call) => "max_seq_length" in call), { max_seq_length: model.maxSeqLength });
  assert.deepEqual(calls.find((call) => "set_seed" in call), { set_seed: 7 });
  assert.deepEqual(callOf(calls, "CoSENTLoss"), { model: modelRecord(path), scale: 20, similarity_fct: { function: "pairwise_cos_sim" } });
  assert.deepEqual(callOf(calls, "SentenceTransformerTrainingArguments"), {
    output_dir: "runs/exported",
    num_train_epochs: 2,
    per_device_train_batch_size: 4,
    learning_rate: 1e-3,
    lr_scheduler_type: "cosine",
    warmup_steps: 0.1, // transformers 5: a warmup_steps below 1 is the ratio
    eval_strategy: "steps",
    eval_steps: 3,
    save_strategy: "no",
    seed: 7,
    report_to: "none",
    disable_tqdm: true,
  });
  assert.deepEqual(callOf(calls, "EmbeddingSimilarityEvaluator"), {
    sentences1: evaluator.sentences1,
    sentences2: evaluator.sentences2,
    scores: evaluator.scores,
    batch_size: evaluator.batchSize,
    similarity_fn_names: evaluator.similarityFnNames,
    name: "sts-dev",
    write_csv: true,
  });
  const trainerCall = callOf(calls, "SentenceTransformerTrainer");
  assert.deepEqual((trainerCall.train_dataset as { rows: unknown }).rows, rowsOf(trainDataset));
  assert.deepEqual((trainerCall.train_dataset as { columns: unknown }).columns, ["sentence1", "sentence2", "score"]);
  assert.deepEqual((trainerCall.eval_dataset as { rows: unknown }).rows, rowsOf(evalDataset));
  assert.equal((trainerCall.loss as Call).class, "CoSENTLoss");
  assert.equal((trainerCall.evaluator as Call).class, "EmbeddingSimilarityEvaluator");
  assert.ok(calls.some((call) => call.train === true));
  assert.deepEqual(calls.find((call) => "save_pretrained" in call), { save_pretrained: "runs/exported/final" });
  const script = readFileSync(join(out, "train.py"), "utf8");
  assert.match(script, /# Note: engine \("tfjs"\) is left out/);
  const readme = readFileSync(join(out, "README.md"), "utf8");
  for (const line of ["python train.py", "accelerate launch --num_processes N train.py", "torchrun --nproc_per_node N train.py", "--nnodes 2", "--node_rank 0", "--master_addr"]) {
    assert.ok(readme.includes(line), `README.md has ${line}`);
  }
  assert.match(readme, /4 × N/);
  assert.match(readFileSync(join(out, "requirements.txt"), "utf8"), /^sentence-transformers>=6\.0,<7$/m);
  model.dispose();
});

test("MNRL with NO_DUPLICATES and an InformationRetrievalEvaluator", { skip: skipPython }, async () => {
  const { model, path } = await loadTiny();
  const pairs = corpusPairScores(0, 16);
  const trainDataset = Dataset.fromColumns({ anchor: pairs.column("sentence1"), positive: pairs.column("sentence2") });
  const queries = { q1: "what is a cat", q2: "where is the sea", q3: "no relevant document" };
  const corpus = { d1: "a cat is an animal", d2: "the sea is blue", d3: "unrelated" };
  const evaluator = new InformationRetrievalEvaluator(queries, corpus, { q1: ["d1"], q2: new Set(["d2", "d3"]) }, { name: "dev", ndcgAtK: [3], accuracyAtK: [1, 3], precisionRecallAtK: [1], mrrAtK: [3], mapAtK: [3], scoreFunctions: ["cosine", "dot"], mainScoreFunction: "cosine" });
  const trainer = new SentenceTransformerTrainer({
    model,
    args: args({ batchSampler: BatchSamplers.NO_DUPLICATES, perDeviceTrainBatchSize: 8, maxSteps: 5, prompts: { anchor: "query: ", positive: "passage: " } }),
    trainDataset,
    loss: new MultipleNegativesRankingLoss(model, { scale: 30 }),
    evaluator,
  });
  const out = join(temporaryDirectory("embedtune-export-"), "script");
  await exportTrainingScript(trainer, out);
  const calls = runScript(out);
  assert.deepEqual(callOf(calls, "MultipleNegativesRankingLoss"), { model: modelRecord(path), scale: 30, similarity_fct: { function: "cos_sim" } });
  const trainingArgs = callOf(calls, "SentenceTransformerTrainingArguments");
  assert.equal(trainingArgs.batch_sampler, "BatchSamplers.NO_DUPLICATES");
  assert.equal(trainingArgs.max_steps, 5);
  assert.deepEqual(trainingArgs.prompts, { anchor: "query: ", positive: "passage: " });
  assert.deepEqual(callOf(calls, "InformationRetrievalEvaluator"), {
    queries: { q1: "what is a cat", q2: "where is the sea" },
    corpus,
    relevant_docs: { q1: { set: ["d1"] }, q2: { set: ["d2", "d3"] } },
    corpus_chunk_size: evaluator.corpusChunkSize,
    mrr_at_k: [3],
    ndcg_at_k: [3],
    accuracy_at_k: [1, 3],
    precision_recall_at_k: [1],
    map_at_k: [3],
    batch_size: evaluator.batchSize,
    name: "dev",
    write_csv: true,
    score_functions: { cosine: { function: "cos_sim" }, dot: { function: "dot_score" } },
    main_score_function: "cosine",
  });
  const trainerCall = callOf(calls, "SentenceTransformerTrainer");
  assert.deepEqual((trainerCall.train_dataset as { rows: unknown }).rows, rowsOf(trainDataset));
  assert.equal(trainerCall.eval_dataset, null);
  assert.match(readFileSync(join(out, "README.md"), "utf8"), /gather_across_devices=True/);
  model.dispose();
});

test("MatryoshkaLoss wrapping MNRL: the inner loss with its parameters, dims and weights", { skip: skipPython }, async () => {
  const { model, path } = await loadTiny();
  const pairs = corpusPairScores(0, 16);
  const trainDataset = Dataset.fromColumns({ anchor: pairs.column("sentence1"), positive: pairs.column("sentence2") });
  const inner = new MultipleNegativesRankingLoss(model, { similarityFct: "dot", scale: 1 });
  const trainer = new SentenceTransformerTrainer({
    model,
    args: args({ perDeviceTrainBatchSize: 8 }),
    trainDataset,
    loss: new MatryoshkaLoss(model, inner, { matryoshkaDims: [8, 16, 4], matryoshkaWeights: [2, 1, 0.5] }),
  });
  const out = join(temporaryDirectory("embedtune-export-"), "script");
  await exportTrainingScript(trainer, out);
  const calls = runScript(out);
  assert.deepEqual(callOf(calls, "MatryoshkaLoss"), {
    model: modelRecord(path),
    loss: { class: "MultipleNegativesRankingLoss", given: { model: modelRecord(path), scale: 1, similarity_fct: { function: "dot_score" } } },
    matryoshka_dims: [16, 8, 4],
    matryoshka_weights: [1, 2, 0.5],
    n_dims_per_step: -1,
  });
  assert.equal((callOf(calls, "SentenceTransformerTrainer").loss as Call).class, "MatryoshkaLoss");
  model.dispose();
});

test("a model from Python's hub cache is named by its Hub id and commit; GISTEmbedLoss's guide is a SentenceTransformer of its own", { skip: skipPython }, async () => {
  const commit = "0123456789abcdef0123456789abcdef01234567";
  const snapshot = join(temporaryDirectory("embedtune-hub-cache-"), "hub", "models--org--tiny-model", "snapshots", commit);
  cpSync(await tinyModelTemplate(), snapshot, { recursive: true });
  const model = await SentenceTransformer.load(snapshot, { quiet: true });
  const guidePath = await freshTinyModel();
  const guide = await SentenceTransformer.load(guidePath, { quiet: true });
  const pairs = corpusPairScores(0, 8);
  const trainer = new SentenceTransformerTrainer({
    model,
    args: args({ perDeviceTrainBatchSize: 4 }),
    trainDataset: Dataset.fromColumns({ anchor: pairs.column("sentence1"), positive: pairs.column("sentence2") }),
    loss: new GISTEmbedLoss(model, { guide, temperature: 0.05, marginStrategy: "relative", margin: 0.1 }),
  });
  const out = join(temporaryDirectory("embedtune-export-"), "script");
  await exportTrainingScript(trainer, out);
  const calls = runScript(out);
  const hubModel = { class: "SentenceTransformer", given: { model_name_or_path: "org/tiny-model", revision: commit } };
  assert.deepEqual(calls.filter((call) => call.class === "SentenceTransformer"), [hubModel, modelRecord(guidePath)]);
  assert.deepEqual(callOf(calls, "GISTEmbedLoss"), {
    model: hubModel,
    guide: modelRecord(guidePath),
    temperature: 0.05,
    margin_strategy: "relative",
    margin: 0.1,
    contrast_anchors: true,
    contrast_positives: true,
  });
  model.dispose();
  guide.dispose();
});

test("a loss without a sentence-transformers equivalent, or with a JavaScript transformation, is one line and writes nothing", async () => {
  const { model } = await loadTiny();
  const trainDataset = corpusPairScores(0, 8);
  const cosent = new CoSENTLoss(model);
  const custom = { name: "MyLoss", computeLoss: cosent.computeLoss.bind(cosent), getConfigDict: () => ({}) };
  const base = { model, args: args({ perDeviceTrainBatchSize: 4 }), trainDataset };
  for (const [loss, pattern] of [
    [custom, /^loss: MyLoss has no sentence-transformers equivalent the script can use \(it knows CoSENTLoss, /],
    [new CosineSimilarityLoss(model, { cosScoreTransformation: (scores) => scores.mul(2) }), /^cosScoreTransformation: is a JavaScript function/],
  ] as const) {
    const trainer = new SentenceTransformerTrainer({ ...base, loss: loss as never });
    const out = join(temporaryDirectory("embedtune-export-"), "script");
    await assert.rejects(exportTrainingScript(trainer, out), (error: Error) => {
      assert.ok(error instanceof ArgumentError);
      assert.match(error.message, pattern);
      assert.ok(!error.message.includes("\n"));
      return true;
    });
    assert.equal(existsSync(out), false);
  }
  model.dispose();
});

function cli(...argv: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ["--import", "tsx", join(projectRoot, "src/cli/main.ts"), ...argv], { cwd: projectRoot, encoding: "utf8" });
}

test("CLI --args: a JSON run description becomes the same script; a misspelt field is one line naming it", { skip: skipPython }, async () => {
  const path = await tinyModelTemplate();
  const folder = temporaryDirectory("embedtune-args-");
  const train = corpusPairScores(0, 12);
  writeParquet(join(folder, "train.parquet"), train);
  const description = {
    model: path,
    trainData: "train.parquet",
    loss: "MatryoshkaLoss",
    lossParameters: { loss: "CoSENTLoss", lossParameters: { scale: 25 }, matryoshkaDims: [16, 8] },
    arguments: { outputDir: "out", learningRate: 2e-5, batchSampler: "no_duplicates", device: "cpu" },
  };
  writeFileSync(join(folder, "run.json"), JSON.stringify(description));
  const out = join(folder, "exported");
  const result = cli("export-script", "--args", join(folder, "run.json"), "--out", out);
  assert.equal(result.status, 0, result.stderr);
  const calls = runScript(out);
  assert.deepEqual(callOf(calls, "MatryoshkaLoss"), {
    model: modelRecord(path),
    loss: { class: "CoSENTLoss", given: { model: modelRecord(path), scale: 25, similarity_fct: { function: "pairwise_cos_sim" } } },
    matryoshka_dims: [16, 8],
    matryoshka_weights: [1, 1],
    n_dims_per_step: -1,
  });
  assert.deepEqual(callOf(calls, "SentenceTransformerTrainingArguments"), {
    output_dir: "out",
    learning_rate: 2e-5,
    seed: 42,
    batch_sampler: "BatchSamplers.NO_DUPLICATES",
    report_to: "none",
    use_cpu: true,
  });
  assert.deepEqual((callOf(calls, "SentenceTransformerTrainer").train_dataset as { rows: unknown }).rows, rowsOf(train));

  writeFileSync(join(folder, "bad.json"), JSON.stringify({ ...description, arguments: { outputDir: "out", learningrate: 1e-3 } }));
  const bad = cli("export-script", "--args", join(folder, "bad.json"), "--out", join(folder, "bad-out"));
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^embedtune: error: .*bad\.json: arguments\.learningrate: is not a field here \(use outputDir, /);
  assert.equal(bad.stderr.trim().split("\n").length, 1);
  writeFileSync(join(folder, "bad-loss.json"), JSON.stringify({ ...description, loss: "CoSENTLoss", lossParameters: { scale: -1 } }));
  const badLoss = cli("export-script", "--args", join(folder, "bad-loss.json"), "--out", join(folder, "bad-out"));
  assert.equal(badLoss.status, 1);
  assert.match(badLoss.stderr, /^embedtune: error: .*bad-loss\.json: lossParameters: scale: must be a positive number, got -1\n$/);
  assert.equal(existsSync(join(folder, "bad-out")), false);
});

test("--args: a Hub id with its revision, an evaluator read from a data file; mistakes name the file and field", { skip: skipPython }, async () => {
  const folder = temporaryDirectory("embedtune-args-");
  const dev = corpusPairScores(50, 6);
  writeParquet(join(folder, "train.parquet"), corpusPairScores(0, 8));
  writeParquet(join(folder, "dev.parquet"), dev);
  const description = {
    model: "BAAI/bge-small-en-v1.5",
    revision: "main",
    maxSeqLength: 256,
    trainData: "train.parquet",
    evalData: "dev.parquet",
    loss: "CoSENTLoss",
    arguments: { outputDir: "out" },
    evaluator: { type: "EmbeddingSimilarityEvaluator", data: "dev.parquet", name: "sts-dev", mainSimilarity: "cosine" },
  };
  const write = (name: string, value: unknown) => {
    writeFileSync(join(folder, name), JSON.stringify(value));
    return join(folder, name);
  };
  const out = join(folder, "exported");
  await writeScriptFolder(await readArgsFile(write("run.json", description)), out);
  const calls = runScript(out);
  const hubModel = { class: "SentenceTransformer", given: { model_name_or_path: "BAAI/bge-small-en-v1.5", revision: "main" } };
  assert.deepEqual(callOf(calls, "SentenceTransformer"), hubModel.given);
  assert.deepEqual(calls.find((call) => "max_seq_length" in call), { max_seq_length: 256 });
  const evaluator = callOf(calls, "EmbeddingSimilarityEvaluator");
  assert.deepEqual([evaluator.sentences1, evaluator.sentences2, evaluator.scores], [dev.column("sentence1"), dev.column("sentence2"), dev.column("score")]);
  assert.equal(evaluator.name, "sts-dev");
  assert.equal(evaluator.main_similarity, "cosine");
  assert.deepEqual((callOf(calls, "SentenceTransformerTrainer").eval_dataset as { rows: unknown }).rows, rowsOf(dev));

  for (const [change, pattern] of [
    [{ model: "../no/such/folder" }, /run\.json: model: "\.\.\/no\/such\/folder" is neither a folder \(looked at .*\) nor a Hub id like "org\/name"$/],
    [{ loss: "GISTEmbedLoss" }, /run\.json: loss: GISTEmbedLoss needs its guide model loaded: export from the trainer instead/],
    [{ loss: "MyLoss" }, /run\.json: loss: "MyLoss" is not a loss the export knows \(CoSENTLoss, /],
    [{ evaluator: { type: "NanoBEIREvaluator", data: "dev.parquet" } }, /run\.json: evaluator\.type: "NanoBEIREvaluator" is not an evaluator the export knows/],
    [{ evaluator: [{ type: "EmbeddingSimilarityEvaluator", data: "dev.parquet", batchsize: 8 }] }, /run\.json: evaluator\[0\]\.batchsize: is not a field here \(use batchSize, /],
    [{ trainData: "missing.parquet" }, /run\.json: trainData: .*missing\.parquet: no such file/],
    [{ arguments: { outputDir: "out", learningRate: -1 } }, /run\.json: arguments: learningRate: must be a number ≥ 0, got -1$/],
    [{ lossParameters: { scale: 20, similarityfct: "dot" } }, /run\.json: lossParameters\.similarityfct: is not a field here \(use scale, similarityFct\)$/],
  ] as const) {
    await assert.rejects(readArgsFile(write("run.json", { ...description, ...change })), (error: Error) => {
      assert.ok(error instanceof ArgumentError, String(error));
      assert.match(error.message, pattern);
      assert.ok(!error.message.includes("\n"));
      return true;
    });
  }
});

test("CLI --run: the run folder's arguments, loss and model with --train checked against the run's data hash", { skip: skipPython }, async () => {
  const { model, path } = await loadTiny();
  const folder = temporaryDirectory("embedtune-run-");
  const train = corpusPairScores(0, 16);
  writeParquet(join(folder, "train.parquet"), train);
  const outputDir = join(folder, "run");
  const trainer = new SentenceTransformerTrainer({
    model,
    args: args({ outputDir, maxSteps: 2, perDeviceTrainBatchSize: 4, learningRate: 1e-3, saveStrategy: "steps", saveSteps: 2 }),
    trainDataset: train,
    loss: new CoSENTLoss(model, { scale: 10 }),
  });
  await trainer.train();
  model.dispose();

  const missing = cli("export-script", "--run", outputDir, "--out", join(folder, "a"));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^embedtune: error: --run: a run folder records only a hash of its training data \(16 rows, columns sentence1, sentence2, score\), not the data: pass --train FILE .* or use --args FILE\n$/);
  writeParquet(join(folder, "other.parquet"), corpusPairScores(1, 16));
  const other = cli("export-script", "--run", outputDir, "--train", join(folder, "other.parquet"), "--out", join(folder, "a"));
  assert.equal(other.status, 1);
  assert.match(other.stderr, /^embedtune: error: --train: .*other\.parquet is not the data the run trained on/);

  const out = join(folder, "exported");
  const result = cli("export-script", "--run", outputDir, "--train", join(folder, "train.parquet"), "--out", out);
  assert.equal(result.status, 0, result.stderr);
  const calls = runScript(out);
  assert.deepEqual(callOf(calls, "SentenceTransformer"), { model_name_or_path: path });
  assert.deepEqual(callOf(calls, "CoSENTLoss"), { model: modelRecord(path), scale: 10, similarity_fct: { function: "pairwise_cos_sim" } });
  assert.deepEqual(callOf(calls, "SentenceTransformerTrainingArguments"), {
    output_dir: outputDir,
    max_steps: 2,
    per_device_train_batch_size: 4,
    learning_rate: 1e-3,
    save_steps: 2,
    seed: 42,
    report_to: "none",
    disable_tqdm: true,
  });
  assert.deepEqual((callOf(calls, "SentenceTransformerTrainer").train_dataset as { rows: unknown }).rows, rowsOf(train));
  assert.match(readFileSync(join(out, "train.py"), "utf8"), /# Note: exported from .*checkpoint-2: a run folder does not record the run's evaluator/);
});

test("--out over a user's files is refused in one line; --overwrite adds the export beside them; an earlier export is replaced", async () => {
  const path = await tinyModelTemplate();
  const folder = temporaryDirectory("embedtune-out-");
  writeParquet(join(folder, "train.parquet"), corpusPairScores(0, 8));
  writeFileSync(join(folder, "run.json"), JSON.stringify({ model: path, trainData: "train.parquet", loss: "CoSENTLoss", arguments: { outputDir: "out" } }));
  const out = join(folder, "mine");
  mkdirSync(out);
  writeFileSync(join(out, "README.md"), "my notes\n");
  const refused = cli("export-script", "--args", join(folder, "run.json"), "--out", out);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^embedtune: error: .*mine: folder is not empty and holds no exported script \(README\.md\); choose a new or empty folder, or pass --overwrite /);
  assert.equal(refused.stderr.trim().split("\n").length, 1);
  assert.equal(readFileSync(join(out, "README.md"), "utf8"), "my notes\n");
  assert.equal(existsSync(join(out, "train.py")), false);

  writeFileSync(join(out, "keep.txt"), "mine\n");
  const forced = cli("export-script", "--args", join(folder, "run.json"), "--out", out, "--overwrite");
  assert.equal(forced.status, 0, forced.stderr);
  assert.equal(readFileSync(join(out, "keep.txt"), "utf8"), "mine\n");
  assert.ok(existsSync(join(out, "train.py")));
  const again = cli("export-script", "--args", join(folder, "run.json"), "--out", out);
  assert.equal(again.status, 0, again.stderr);
});

test("transformers 5 names: a warmup ratio is warmup_steps below 1 (warmupSteps wins over it, as in Hugging Face); loggingDir is TENSORBOARD_LOGGING_DIR set by the script", () => {
  const ratio = pythonTrainingArguments(args({ warmupRatio: 0.2, loggingDir: "runs/tb" }));
  assert.equal(ratio.keywords.warmup_steps, 0.2);
  assert.ok(!("warmup_ratio" in ratio.keywords) && !("logging_dir" in ratio.keywords));
  assert.deepEqual(ratio.environment, { TENSORBOARD_LOGGING_DIR: "runs/tb" });
  const both = pythonTrainingArguments(args({ warmupRatio: 0.2, warmupSteps: 5 }));
  assert.equal(both.keywords.warmup_steps, 5);
  assert.ok(both.notes.some((note) => note.startsWith("warmupRatio (0.2) is left out: warmupSteps (5) wins")), both.notes.join("\n"));
});
