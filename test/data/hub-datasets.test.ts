// loadDataset by Hub dataset id against the Hub double (test/support/hub-double.ts): the seed's
// `sentence-transformers/all-nli` config `pair-score`, served from a shrunk copy laid out as the real repo
// (README.md with its `configs:` block for pair, pair-class, pair-score and triplet, each with train/dev/test
// files `<config>/<split>-00000-of-00001.parquet`), pair-score being ../shared/data/stsb's parquet files whole.
// Checks the three splits' row counts, that only the chosen config's (and split's) files are downloaded, that a
// second load makes no body GET, that HF_HUB_OFFLINE=1 loads from the cache, and the one-line errors; plus a repo
// without a card (the convention), dataFiles relative to the repo, a pinned revision and a loading script.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { DataLoadError } from "../../src/data/errors.ts";
import { Dataset } from "../../src/data/dataset.ts";
import { DatasetDict } from "../../src/data/dataset-dict.ts";
import { loadDataset } from "../../src/data/load-dataset.ts";
import { readParquetFile, writeParquet } from "../../src/data/parquet.ts";
import { ArgumentError } from "../../src/errors.ts";
import { OfflineCacheMissError, RepositoryNotFoundError } from "../../src/hub/index.ts";
import { HubDouble } from "../support/hub-double.ts";
import { sharedPath, skipUnlessShared } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { useHubTestEnv } from "../hub/hub-test-env.ts";
import { expectError } from "./expect-error.ts";

const ALL_NLI = "sentence-transformers/all-nli";
const STSB_SPLITS = { train: "data/stsb/train.parquet", dev: "data/stsb/validation.parquet", test: "data/stsb/test.parquet" } as const;
const stsbAbsent = Object.values(STSB_SPLITS).map(skipUnlessShared).find((reason) => reason !== false) ?? false;

/** The real card's `configs:` block (its dataset_info block shortened to one config). */
const ALL_NLI_README = `---
language:
- en
size_categories:
- 1M<n<10M
task_categories:
- feature-extraction
- sentence-similarity
pretty_name: AllNLI
tags:
- sentence-transformers
dataset_info:
- config_name: pair-score
  features:
  - name: sentence1
    dtype: string
  - name: sentence2
    dtype: string
  - name: score
    dtype: float64
configs:
${["pair", "pair-class", "pair-score", "triplet"].map((config) => `- config_name: ${config}
  data_files:
  - split: train
    path: ${config}/train-*
  - split: dev
    path: ${config}/dev-*
  - split: test
    path: ${config}/test-*`).join("\n")}
---

# Dataset Card for AllNLI (shrunk copy for tests)
`;

/** Small parquet files for the configs other than pair-score, with the real repo's columns. */
const OTHER_CONFIG_COLUMNS: Record<string, Record<string, unknown[]>> = {
  pair: { anchor: ["a"], positive: ["p"] },
  "pair-class": { premise: ["a"], hypothesis: ["h"], label: [1] },
  triplet: { anchor: ["a"], positive: ["p"], negative: ["n"] },
};

function writeRepoFolder(files: Record<string, string | Record<string, unknown[]> | Uint8Array>): string {
  const folder = temporaryDirectory("embedtune-hub-dataset-");
  for (const [path, content] of Object.entries(files)) {
    const target = join(folder, path);
    mkdirSync(dirname(target), { recursive: true });
    if (typeof content === "string" || content instanceof Uint8Array) writeFileSync(target, content);
    else writeParquet(target, content);
  }
  return folder;
}

let hub: HubDouble;
before(async () => {
  hub = await HubDouble.start();
});
after(() => hub.close());
useHubTestEnv(() => hub);

const bodyGets = () => hub.requests.filter((request) => request.method === "GET" && !request.path.startsWith("/api/"));
/** The repo paths whose bodies were fetched (LFS files are counted at the hub's resolve, before the CDN hop). */
const downloadedPaths = () =>
  hub.requests.filter((request) => request.origin === "hub" && request.method === "GET" && request.path.includes("/resolve/"))
    .map((request) => decodeURIComponent(request.path.replace(/^.*\/resolve\/[^/]+\//, "")));

describe("the seed's sentence-transformers/all-nli, config pair-score", { skip: stsbAbsent }, () => {
  const rowCounts: Record<string, number> = {};
  before(async () => {
    const files: Record<string, string | Record<string, unknown[]> | Uint8Array> = { "README.md": ALL_NLI_README };
    for (const [split, shared] of Object.entries(STSB_SPLITS)) {
      files[`pair-score/${split}-00000-of-00001.parquet`] = readFileSync(sharedPath(shared));
      rowCounts[split] = (await readParquetFile(sharedPath(shared))).numRows;
      for (const [config, columns] of Object.entries(OTHER_CONFIG_COLUMNS)) files[`${config}/${split}-00000-of-00001.parquet`] = columns;
    }
    hub.addRepoFromFolder(ALL_NLI, writeRepoFolder(files), { type: "dataset" });
  });

  test("three splits with the tutorial's row counts; only README.md and pair-score's files are downloaded", async () => {
    assert.deepEqual(rowCounts, { train: 5749, dev: 1500, test: 1379 });
    const dataset = await loadDataset(ALL_NLI, "pair-score");
    assert.ok(dataset instanceof DatasetDict);
    assert.deepEqual(dataset.splits, ["train", "dev", "test"]);
    assert.deepEqual(Object.fromEntries(dataset.splits.map((split) => [split, dataset.get(split).numRows])), rowCounts);
    assert.deepEqual(dataset.get("dev").columnNames, ["sentence1", "sentence2", "score"]);
    assert.deepEqual(downloadedPaths().sort(), [
      "README.md", "pair-score/dev-00000-of-00001.parquet", "pair-score/test-00000-of-00001.parquet", "pair-score/train-00000-of-00001.parquet",
    ]);
  });

  test("a second load makes no body GET; HF_HUB_OFFLINE=1 then loads from the cache without any request", async () => {
    const first = await loadDataset(ALL_NLI, "pair-score", { split: "test" });
    assert.ok(bodyGets().length > 0);
    hub.requests.length = 0;
    const second = await loadDataset(ALL_NLI, "pair-score", { split: "test" });
    assert.deepEqual(bodyGets(), []);
    assert.deepEqual(second.column("sentence1"), first.column("sentence1"));
    hub.requests.length = 0;
    process.env.HF_HUB_OFFLINE = "1";
    const offline = await loadDataset(ALL_NLI, "pair-score", { split: "test" });
    assert.deepEqual(hub.requests, []);
    assert.equal(offline.numRows, rowCounts.test);
    // Offline, a split never downloaded is a one-line cache miss, not a network error.
    await expectError(() => loadDataset(ALL_NLI, "pair-score", { split: "train" }), OfflineCacheMissError, `${ALL_NLI}@main`, "pair-score/train-00000-of-00001.parquet");
    assert.deepEqual(hub.requests, []);
  });

  test("split: \"dev\" downloads only README.md and that split's file", async () => {
    const dev = await loadDataset(ALL_NLI, "pair-score", { split: "dev" });
    assert.ok(dev instanceof Dataset);
    assert.equal(dev.numRows, rowCounts.dev);
    assert.deepEqual(downloadedPaths().sort(), ["README.md", "pair-score/dev-00000-of-00001.parquet"]);
  });

  test("a missing config name, an unknown config or split: one line each, no data file downloaded", async () => {
    await expectError(() => loadDataset(ALL_NLI), ArgumentError, "configName",
      "Config name is missing. Please pick one among the available configs: ['pair', 'pair-class', 'pair-score', 'triplet']");
    await expectError(() => loadDataset(ALL_NLI, "pair_score"), ArgumentError, "configName",
      "BuilderConfig 'pair_score' not found. Available: ['pair', 'pair-class', 'pair-score', 'triplet']");
    await expectError(() => loadDataset(ALL_NLI, "pair-score", { split: "validation" }), ArgumentError, "split",
      `Unknown split "validation". Should be one of ['train', 'dev', 'test'].`);
    assert.deepEqual([...new Set(downloadedPaths())], ["README.md"]);
    const triplet = await loadDataset(ALL_NLI, "triplet", { split: "train" });
    assert.deepEqual(triplet.columnNames, ["anchor", "positive", "negative"]);
  });
});

describe("other dataset repos", () => {
  before(() => {
    hub.addRepoFromFolder("org/no-card", writeRepoFolder({
      "data/train-00000-of-00002.parquet": { text: ["t0", "t1"], label: [0, 1] },
      "data/train-00001-of-00002.parquet": { text: ["t2"], label: [1] },
      "data/validation-00000-of-00001.parquet": { text: ["v0"], label: [0] },
      "extra/more.jsonl": '{"text": "j0", "label": 1}\n{"text": "j1", "label": 0}\n',
    }), { type: "dataset" });
    hub.addRepoFromFolder("org/scripted", writeRepoFolder({ "scripted.py": "import datasets\n", "README.md": "# old" }), { type: "dataset" });
  });

  test("a repo without a card follows the convention; dataFiles are relative to the repo", async () => {
    const dict = await loadDataset("org/no-card");
    assert.deepEqual(dict.splits, ["train", "validation"]);
    assert.deepEqual(dict.get("train").column("text"), ["t0", "t1", "t2"]);
    const extra = await loadDataset("org/no-card", { dataFiles: { test: "extra/*.jsonl" }, split: "test" });
    assert.deepEqual(extra.column("text"), ["j0", "j1"]);
  });

  test("a pinned revision loads that commit's files", async () => {
    const repo = hub.addRepoFromFolder("org/versions", writeRepoFolder({ "train.csv": "text\nold\n" }), { type: "dataset" });
    const first = repo.resolve("main")!;
    repo.commit({ "train.csv": "text\nnew\n" });
    assert.deepEqual((await loadDataset("org/versions", { split: "train" })).column("text"), ["new"]);
    assert.deepEqual((await loadDataset("org/versions", { split: "train", revision: first })).column("text"), ["old"]);
  });

  test("a repo with a loading script is refused in one line", async () => {
    await expectError(() => loadDataset("org/scripted"), DataLoadError, "org/scripted: scripted.py", "Dataset scripts are no longer supported");
  });

  test("a path that is neither a folder nor a Hub id, and an id the Hub does not have", async () => {
    await expectError(() => loadDataset("no/such/folder"), ArgumentError, "path", "no/such/folder: no such folder, and not a Hub dataset id");
    assert.deepEqual(hub.requests, []);
    await expectError(() => loadDataset("org/missing", "default"), RepositoryNotFoundError, "org/missing", "repository not found");
  });
});
