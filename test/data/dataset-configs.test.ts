// Tests for the config resolution of datasets' load_dataset (dataset-configs.ts) and for loadDataset on a local
// dataset folder: the card's `configs:` forms (data_files as a string, a list, a list of {split, path} with a
// path or a list; data_dir; default: true; several configs), the folder/file-name convention (sharded
// data/{split}-NNNNN-of-NNNNN files, split folders, split keywords in file names with dev/valid/val →
// validation and eval → test), fsspec globs, hidden and special files, and each error as one line.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { conventionPatterns, globRegExp, resolveDatasetConfig, resolvePattern, splitFilesOf } from "../../src/data/dataset-configs.ts";
import { Dataset } from "../../src/data/dataset.ts";
import { DatasetDict } from "../../src/data/dataset-dict.ts";
import { DataLoadError } from "../../src/data/errors.ts";
import { loadDataset } from "../../src/data/load-dataset.ts";
import { writeParquet } from "../../src/data/parquet.ts";
import { ArgumentError } from "../../src/errors.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { expectError } from "./expect-error.ts";

const card = (yaml: string) => `---\n${yaml.trim()}\n---\n# A dataset\n`;
const splitsOf = (files: string[], readme?: string, configName?: string) =>
  Object.fromEntries(resolveDatasetConfig({ source: "org/data", files, readme }, { configName }).splits);

test("card data_files as a string, a list, and a list of {split, path} with a path or a list of paths", () => {
  const files = ["a/x.parquet", "a/y.parquet", "b/1.parquet", "b/2.parquet", "c/dev.parquet", "README.md"];
  assert.deepEqual(splitsOf(files, card("configs:\n- config_name: one\n  data_files: a/*.parquet")), { train: ["a/x.parquet", "a/y.parquet"] });
  assert.deepEqual(splitsOf(files, card("configs:\n- config_name: two\n  data_files:\n  - b/2.parquet\n  - a/x.parquet")), { train: ["b/2.parquet", "a/x.parquet"] });
  const splitForm = card(`
configs:
- config_name: three
  data_files:
  - split: train
    path:
    - a/*
    - b/1.parquet
  - split: dev
    path: c/dev.parquet`);
  assert.deepEqual(splitsOf(files, splitForm), { train: ["a/x.parquet", "a/y.parquet", "b/1.parquet"], dev: ["c/dev.parquet"] });
});

test("data_dir: the config's patterns and the convention are relative to its folder", () => {
  const files = ["en/train.jsonl", "en/test.jsonl", "fr/data.jsonl", "README.md"];
  const readme = card(`
configs:
- config_name: en
  data_dir: en
- config_name: fr
  data_dir: fr
  data_files: "*.jsonl"`);
  assert.deepEqual(splitsOf(files, readme, "en"), { train: ["en/train.jsonl"], test: ["en/test.jsonl"] });
  assert.deepEqual(splitsOf(files, readme, "fr"), { train: ["fr/data.jsonl"] });
});

test("the caller's dataFiles and dataDir replace the config's files, relative to the root or dataDir, not the config's data_dir", () => {
  const files = ["en/train.jsonl", "en/test.jsonl", "fr/train.jsonl", "all.jsonl"];
  const readme = card("configs:\n- config_name: en\n  data_dir: en\n  default: true");
  const resolve = (request: Parameters<typeof resolveDatasetConfig>[1]) => Object.fromEntries(resolveDatasetConfig({ source: "s", files, readme }, request).splits);
  assert.deepEqual(resolve({}), { train: ["en/train.jsonl"], test: ["en/test.jsonl"] });
  assert.deepEqual(resolve({ dataDir: "fr" }), { train: ["fr/train.jsonl"] });
  assert.deepEqual(resolve({ dataFiles: "all.jsonl" }), { train: ["all.jsonl"] });
  assert.deepEqual(resolve({ configName: "en", dataFiles: { test: "*.jsonl" } }), { test: ["all.jsonl"] });
  assert.deepEqual(resolve({ dataDir: "en", dataFiles: { dev: "test.jsonl" } }), { dev: ["en/test.jsonl"] });
  assert.throws(() => resolve({ dataDir: "../elsewhere" }), (error: Error) => error instanceof ArgumentError && error.message.startsWith("dataDir: must be relative"));
});

test(".huggingface.yaml's configs replace the card's", () => {
  const files = ["a.csv", "b.csv"];
  const readme = card("configs:\n- config_name: from-card\n  data_files: a.csv");
  const config = resolveDatasetConfig({ source: "s", files, readme, standaloneYaml: "configs:\n- config_name: from-yaml\n  data_files: b.csv\n" });
  assert.equal(config.name, "from-yaml");
  assert.deepEqual(config.splits.get("train"), ["b.csv"]);
  assert.equal(resolveDatasetConfig({ source: "s", files, readme, standaloneYaml: "license: mit\n" }).name, "from-card");
});

test("the default config: the only one, default: true, or one named default; several without one need a name", async () => {
  const files = ["p/train.parquet", "q/train.parquet"];
  const twoConfigs = "configs:\n- config_name: p\n  data_files: p/*\n- config_name: q\n  data_files: q/*";
  assert.equal(resolveDatasetConfig({ source: "s", files, readme: card("configs:\n- config_name: q\n  data_files: q/*") }).name, "q");
  assert.equal(resolveDatasetConfig({ source: "s", files, readme: card(`${twoConfigs}\n  default: true`) }).name, "q");
  assert.equal(resolveDatasetConfig({ source: "s", files, readme: card(twoConfigs.replace("config_name: q", "config_name: default")) }).name, "default");
  await expectError(() => resolveDatasetConfig({ source: "org/data", files, readme: card(twoConfigs) }), ArgumentError, "configName",
    "Config name is missing. Please pick one among the available configs: ['p', 'q']", 'loadDataset("org/data", "p")');
  await expectError(() => resolveDatasetConfig({ source: "org/data", files, readme: card(twoConfigs) }, { configName: "r" }), ArgumentError, "configName",
    "BuilderConfig 'r' not found. Available: ['p', 'q']");
  await expectError(() => resolveDatasetConfig({ source: "org/data", files, readme: card(twoConfigs.replaceAll("q/*", "q/*\n  default: true").replace("p/*", "p/*\n  default: true")) }),
    DataLoadError, "org/data: README.md", "several default configs: 'p' and 'q'");
  // Without configs in the card the one config is "default".
  await expectError(() => resolveDatasetConfig({ source: "org/data", files }, { configName: "p" }), ArgumentError, "configName", "BuilderConfig 'p' not found. Available: ['default']");
});

test("malformed cards are one line naming README.md and the config", async () => {
  await expectError(() => splitsOf(["a.csv"], card("configs:\n- data_files: a.csv")), DataLoadError, "org/data: README.md", "configs[0]", "config_name");
  await expectError(() => splitsOf(["a.csv"], card("configs:\n- config_name: x\n  data_files: {train: a.csv}")), DataLoadError, "org/data: README.md", "configs[0] (x): data_files");
  await expectError(() => splitsOf(["a.csv"], card("configs:\n- config_name: x\n  data_files:\n  - split: my-split\n    path: a.csv")), DataLoadError, "org/data: README.md", "data_files");
  await expectError(() => splitsOf(["a.csv"], card("configs: [unclosed")), DataLoadError, "org/data: README.md", "YAML");
});

test("the convention: sharded data/{split}-NNNNN-of-NNNNN files, train/validation/test first then the others sorted", () => {
  const files = ["data/zeta-00000-of-00001.parquet", "data/test-00000-of-00002.parquet", "data/test-00001-of-00002.parquet",
    "data/train-00000-of-00001.parquet", "data/alpha-00000-of-00001.parquet", "other/train.parquet", "README.md"];
  const patterns = conventionPatterns(files)!;
  assert.deepEqual([...patterns.keys()], ["train", "test", "alpha", "zeta"]);
  assert.deepEqual(splitsOf(files), {
    train: ["data/train-00000-of-00001.parquet"], test: ["data/test-00000-of-00002.parquet", "data/test-00001-of-00002.parquet"],
    alpha: ["data/alpha-00000-of-00001.parquet"], zeta: ["data/zeta-00000-of-00001.parquet"],
  });
});

test("the convention: split keywords in folder names win over file names", () => {
  const files = ["data/train/shard_0.csv", "data/train/shard_1.csv", "data/test/shard_0.csv", "data/test/dev_notes.csv"];
  assert.deepEqual(splitsOf(files), { train: ["data/train/shard_0.csv", "data/train/shard_1.csv"], test: ["data/test/dev_notes.csv", "data/test/shard_0.csv"] });
});

test("the convention: keywords in file names (dev/valid/val → validation, eval/testing → test), separators required", () => {
  const files = ["my_train.jsonl", "training-2.jsonl", "dev.jsonl", "corpus.valid.jsonl", "eval.jsonl", "contest.jsonl", "trainer.jsonl"];
  assert.deepEqual(splitsOf(files), {
    train: ["my_train.jsonl", "training-2.jsonl"],
    validation: ["corpus.valid.jsonl", "dev.jsonl"],
    test: ["eval.jsonl"],
  });
  assert.deepEqual(splitsOf(["val.csv", "x/val-1.csv"]), { validation: ["val.csv", "x/val-1.csv"] });
  // No keyword anywhere: every data file is train; README.md and other non-data names are not data.
  assert.deepEqual(splitsOf(["pairs.parquet", "more/pairs2.parquet", "README.md", "dataset_infos.json"]), { train: ["more/pairs2.parquet", "pairs.parquet"] });
});

test("hidden files, hidden folders and __special__ folders are skipped unless the pattern names them", () => {
  const files = ["train.csv", ".train.csv", ".cache/train.csv", "__pycache__/train.csv", "sub/.hidden/test.csv"];
  assert.deepEqual(splitsOf(files), { train: ["train.csv"] });
  assert.deepEqual(resolvePattern(".cache/*", files), [".cache/train.csv"]);
  assert.deepEqual(resolvePattern("__pycache__/*", files), ["__pycache__/train.csv"]);
  assert.deepEqual(resolvePattern(".*", files), [".train.csv"]);
});

test("globs as fsspec: * and ? stay in one folder, ** crosses folders, [..] classes, ** only as a whole segment", async () => {
  const files = ["a.csv", "d/b.csv", "d/e/c.csv", "d/e/f/x1.csv", "d/e/f/x2.csv", "d/e/f/xa.csv"];
  assert.deepEqual(resolvePattern("*.csv", files), ["a.csv"]);
  assert.deepEqual(resolvePattern("d/*.csv", files), ["d/b.csv"]);
  assert.deepEqual(resolvePattern("d/**", files), ["d/b.csv", "d/e/c.csv", "d/e/f/x1.csv", "d/e/f/x2.csv", "d/e/f/xa.csv"]);
  assert.deepEqual(resolvePattern("**/c.csv", files), ["d/e/c.csv"]);
  assert.deepEqual(resolvePattern("d/*/c.csv", files), ["d/e/c.csv"]);
  assert.deepEqual(resolvePattern("**/x[0-9].csv", files), ["d/e/f/x1.csv", "d/e/f/x2.csv"]);
  assert.deepEqual(resolvePattern("**/x[!0-9].csv", files), ["d/e/f/xa.csv"]);
  assert.deepEqual(resolvePattern("**/x?.csv", files), ["d/e/f/x1.csv", "d/e/f/x2.csv", "d/e/f/xa.csv"]);
  assert.ok(globRegExp("data/train-*.parquet").test("data/train-00000-of-00001.parquet"));
  assert.ok(!globRegExp("data/*.parquet").test("data/sub/x.parquet"));
  await expectError(() => resolvePattern("**.csv", files), ArgumentError, 'pattern "**.csv"', "'**' can only be an entire path component");
});

test("formats: the most common extension per split, one builder for all splits, strays of other types dropped", async () => {
  const stray = resolveDatasetConfig({ source: "s", files: ["train/a.parquet", "train/b.parquet", "train/notes.txt"] });
  assert.equal(stray.builder, "parquet");
  assert.deepEqual(stray.splits.get("train"), ["train/a.parquet", "train/b.parquet"]);
  assert.equal(resolveDatasetConfig({ source: "s", files: ["train.json", "test.jsonl"] }).builder, "json");
  await expectError(() => resolveDatasetConfig({ source: "org/mixed", files: ["train.parquet", "test.csv"] }), DataLoadError, 'org/mixed: config "default"',
    "Couldn't infer the same data file format for all splits", "train is parquet", "test is csv");
  await expectError(() => resolveDatasetConfig({ source: "org/text", files: ["train.txt"] }), DataLoadError, 'org/text: config "default"', "text files", "parquet, csv and json/jsonl");
  await expectError(() => resolveDatasetConfig({ source: "org/none", files: ["README.md", "LICENSE"] }), DataLoadError, 'org/none: config "default"', "no data files");
  await expectError(() => resolveDatasetConfig({ source: "org/miss", files: ["a.csv"], readme: card("configs:\n- config_name: x\n  data_files: b.csv") }),
    DataLoadError, 'org/miss: config "x"', "Unable to find 'b.csv'");
});

test("an unknown split is one line listing the splits", async () => {
  const config = resolveDatasetConfig({ source: "s", files: ["train.csv", "dev.csv"] });
  assert.deepEqual(splitFilesOf(config, "validation"), ["dev.csv"]);
  await expectError(() => splitFilesOf(config, "dev"), ArgumentError, "split", `Unknown split "dev". Should be one of ['train', 'validation']`);
});

// ── loadDataset on a local dataset folder ──

function writeFolder(root: string, files: Record<string, string | Record<string, unknown[]>>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    if (typeof content === "string") writeFileSync(join(root, path), content);
    else writeParquet(join(root, path), content);
  }
  return root;
}

test("a local folder with a card: the named config, every split or one, files read by their extension", async () => {
  const folder = writeFolder(temporaryDirectory("embedtune-folder-"), {
    "README.md": card(`
configs:
- config_name: pairs
  data_files:
  - split: train
    path: pairs/train-*.parquet
  - split: dev
    path: pairs/dev.parquet
- config_name: triplets
  data_files: triplets/*.csv`),
    "pairs/train-00000-of-00002.parquet": { anchor: ["a0", "a1"], positive: ["p0", "p1"] },
    "pairs/train-00001-of-00002.parquet": { anchor: ["a2"], positive: ["p2"] },
    "pairs/dev.parquet": { anchor: ["d0"], positive: ["q0"] },
    "extra/test.jsonl": '{"anchor": "e0", "positive": "f0"}\n',
    "triplets/all.csv": "anchor,positive,negative\nx,y,z\n",
  });
  const pairs = await loadDataset(folder, "pairs");
  assert.ok(pairs instanceof DatasetDict);
  assert.deepEqual(pairs.splits, ["train", "dev"]);
  assert.deepEqual(pairs.get("train").column("anchor"), ["a0", "a1", "a2"]);
  assert.deepEqual(pairs.get("dev").column("positive"), ["q0"]);
  const dev = await loadDataset(folder, "pairs", { split: "dev" });
  assert.ok(dev instanceof Dataset);
  assert.equal(dev.numRows, 1);
  assert.deepEqual((await loadDataset(folder, "triplets", { split: "train" })).column("negative"), ["z"]);
  // dataFiles replace the config's files, relative to the folder; a config mixing parquet and JSON is refused.
  assert.deepEqual((await loadDataset(folder, { dataFiles: { test: "extra/*.jsonl" }, split: "test" })).column("anchor"), ["e0"]);
  await expectError(() => loadDataset(folder, "pairs", { dataFiles: { train: "pairs/train-*", test: "extra/*" } }), DataLoadError, `${folder}: config "pairs"`,
    "Couldn't infer the same data file format for all splits");
  await expectError(() => loadDataset(folder), ArgumentError, "configName", "Config name is missing", "['pairs', 'triplets']");
  await expectError(() => loadDataset(folder, "pairs", { split: "test" }), ArgumentError, "split", `Unknown split "test". Should be one of ['train', 'dev']`);
});

test("a local folder without a card follows the convention; builder names still win; a loading script is refused", async () => {
  const folder = writeFolder(temporaryDirectory("embedtune-folder-"), {
    "data/train-00000-of-00001.parquet": { text: ["t0", "t1"], label: [0, 1] },
    "data/test-00000-of-00001.parquet": { text: ["s0"], label: [1] },
    ".hidden/train-00000-of-00001.parquet": { text: ["never"], label: [9] },
  });
  const dict = await loadDataset(folder);
  assert.deepEqual(dict.splits, ["train", "test"]);
  assert.equal(dict.get("train").numRows, 2);
  assert.deepEqual((await loadDataset(folder, "default", { split: "test" })).column("text"), ["s0"]);
  assert.equal((await loadDataset("parquet", { dataFiles: join(folder, "data/test-00000-of-00001.parquet"), split: "train" })).numRows, 1);
  const scripted = writeFolder(join(temporaryDirectory("embedtune-folder-"), "my_set"), { "my_set.py": "# builder", "train.csv": "a\n1\n" });
  await expectError(() => loadDataset(scripted), DataLoadError, join(scripted, "my_set.py"), "Dataset scripts are no longer supported");
  await expectError(() => loadDataset(join(folder, "data/test-00000-of-00001.parquet")), ArgumentError, "path", "is a file", 'loadDataset("parquet"');
  await expectError(() => loadDataset("parquet"), ArgumentError, "dataFiles", "Please specify the data files");
});
