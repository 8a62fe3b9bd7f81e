// loadDataset by Hub id against the REAL Python `datasets` (test/support/python-interop.ts; skips naming the module
// when absent), both served by the same Hub double: for each repo layout — the card's `configs:` forms (a string, a
// list, a list of {split, path}, data_dir, `default: true`, several configs) and the no-card conventions (sharded
// data/{split}-NNNNN-of-NNNNN.parquet, train/ test/ folders, split keywords in file names, csv, jsonl) — the same
// config names, the same splits in the same order, the same columns and the same rows in the same order; and the
// same errors for a missing and an unknown config; the Hub cache datasets filled loads in embedtune offline, and
// datasets (online: offline it reads only its own Arrow cache) reuses the files embedtune downloaded; a gated dataset.
// Python runs once for every layout (datasets_client.py).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { Dataset } from "../../src/data/dataset.ts";
import { loadDataset } from "../../src/data/load-dataset.ts";
import { writeParquet } from "../../src/data/parquet.ts";
import { GatedRepoError } from "../../src/hub/index.ts";
import { HubDouble } from "../support/hub-double.ts";
import { interopPython, skipUnlessPython } from "../support/python-interop.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { useHubTestEnv } from "../hub/hub-test-env.ts";

const CLIENT = join(import.meta.dirname, "datasets_client.py");
const GATED_TOKEN = "hf_accepted";

type Columns = Record<string, unknown[]>;
type RepoFiles = Record<string, string | Columns>;

const csv = (...rows: string[]) => `text,label\n${rows.map((text, index) => `${text},${index}`).join("\n")}\n`;
const jsonl = (...rows: string[]) => rows.map((text, index) => JSON.stringify({ text, label: index })).join("\n") + "\n";
const parquet = (...rows: string[]): Columns => ({ text: rows, label: rows.map((_, index) => index) });
const card = (configs: string) => `---\nconfigs:\n${configs}\n---\n\n# A test dataset\n`;

/** Repo id → its files; each repo is one layout datasets resolves its own way. */
const LAYOUTS: Record<string, RepoFiles> = {
  "org/card-string": {
    "README.md": card("- config_name: default\n  data_files: corpus.csv"),
    "corpus.csv": csv("c0", "c1"), "train.csv": csv("ignored"),
  },
  "org/card-list": {
    "README.md": card("- config_name: default\n  data_files:\n  - part-b/*.jsonl\n  - part-a/*.jsonl"),
    "part-a/2.jsonl": jsonl("a2"), "part-a/1.jsonl": jsonl("a1", "a1b"), "part-b/x.jsonl": jsonl("b"),
  },
  "org/card-splits": {
    "README.md": card("- config_name: main\n  data_files:\n  - split: train\n    path: splits/fit-*.parquet\n  - split: dev\n    path: splits/check.parquet\n  - split: test\n    path:\n    - splits/final-b.parquet\n    - splits/final-a.parquet"),
    "splits/fit-0.parquet": parquet("f0", "f1"), "splits/fit-1.parquet": parquet("f2"), "splits/check.parquet": parquet("d0"),
    "splits/final-a.parquet": parquet("ta"), "splits/final-b.parquet": parquet("tb"),
  },
  "org/card-data-dir": {
    "README.md": card("- config_name: en\n  data_dir: en\n- config_name: fr\n  data_dir: fr"),
    "en/train.csv": csv("hello", "world"), "en/test.csv": csv("bye"), "fr/train.csv": csv("bonjour"), "fr/validation.csv": csv("salut"),
  },
  "org/card-default": {
    "README.md": card("- config_name: small\n  data_files: small/*.jsonl\n- config_name: large\n  default: true\n  data_files:\n  - split: train\n    path: large/train.jsonl\n  - split: test\n    path: large/test.jsonl"),
    "small/s.jsonl": jsonl("s0"), "large/train.jsonl": jsonl("l0", "l1", "l2"), "large/test.jsonl": jsonl("lt"),
  },
  "org/sharded": {
    "data/train-00000-of-00002.parquet": parquet("t0", "t1"), "data/train-00001-of-00002.parquet": parquet("t2"),
    "data/test-00000-of-00001.parquet": parquet("x0"), "data/validation-00000-of-00001.parquet": parquet("v0"),
    "data/extra-00000-of-00001.parquet": parquet("e0"), "data/additional-00000-of-00001.parquet": parquet("a0"),
  },
  "org/card-without-files": {
    "README.md": card("- config_name: default\n  description: only metadata"),
    "train.jsonl": jsonl("n0", "n1"), "validation.jsonl": jsonl("nv"),
  },
  "org/folders": {
    "train/b.jsonl": jsonl("tb"), "train/a.jsonl": jsonl("ta0", "ta1"), "test/c.jsonl": jsonl("tc"), "notes/readme.txt": "not data\n",
  },
  "org/keywords": {
    "my_train.csv": csv("k0", "k1"), "dev.csv": csv("d0"), "valid-more.csv": csv("v0"), "test_set.csv": csv("x0"),
  },
  "org/plain-jsonl": { "sentences.jsonl": jsonl("p0", "p1", "p2"), "README.md": "# no YAML here\n" },
};

/** The loads compared: repo id, config name (undefined = the default), and data_dir / data_files / split. */
interface Load {
  path: string;
  name?: string;
  data_dir?: string;
  data_files?: string | string[] | Record<string, string | string[]>;
  split?: string;
}
const LOADS: Load[] = [
  { path: "org/card-string" }, { path: "org/card-list" }, { path: "org/card-splits" }, { path: "org/card-splits", name: "main" },
  { path: "org/card-data-dir", name: "en" }, { path: "org/card-data-dir", name: "fr" }, { path: "org/card-default" },
  { path: "org/card-default", name: "small" }, { path: "org/sharded" }, { path: "org/folders" }, { path: "org/keywords" },
  { path: "org/plain-jsonl" }, { path: "org/card-without-files" },
  { path: "org/folders", data_dir: "train" }, { path: "org/sharded", data_dir: "data" },
  { path: "org/keywords", data_files: { train: "*train*.csv", check: ["test_set.csv", "dev.csv"] } },
  { path: "org/folders", data_files: "train/*.jsonl", split: "train" }, { path: "org/sharded", split: "validation" },
];
const describeLoad = ({ path, ...options }: Load) => `${path}${Object.keys(options).length > 0 ? ` ${JSON.stringify(options)}` : ""}`;

type Table = { columns: string[]; rows: Record<string, unknown>[] };
type PythonAnswer = { result: unknown; error?: undefined } | { error: string; message: string };

function writeRepoFolder(files: RepoFiles): string {
  const folder = temporaryDirectory("embedtune-interop-dataset-");
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    if (typeof content === "string") writeFileSync(join(folder, path), content);
    else writeParquet(join(folder, path), content);
  }
  return folder;
}

function tableOf(dataset: Dataset): Table {
  const rows = Array.from({ length: dataset.numRows }, (_, index) => dataset.row(index));
  return JSON.parse(JSON.stringify({ columns: dataset.columnNames, rows }, (_, value) => (typeof value === "bigint" ? Number(value) : value))) as Table;
}

/** embedtune's loadDataset with a Load's arguments, shaped as datasets_client.py prints: a table, or [[split, table], …]. */
async function loadLikeDatasets({ path, name, data_dir: dataDir, data_files: dataFiles, split }: Load): Promise<unknown> {
  const loaded = await loadDataset(path, name, { dataDir, dataFiles, split });
  return loaded instanceof Dataset ? tableOf(loaded) : loaded.splits.map((each) => [each, tableOf(loaded.get(each))]);
}

/** datasets_client.py with the double as HF_ENDPOINT and `extra` (HF_HOME at least); asynchronous, so the double answers meanwhile. */
async function runDatasets(calls: object[], extra: Record<string, string> & { HF_HOME: string }): Promise<PythonAnswer[]> {
  const childEnv = {
    PATH: process.env.PATH ?? "", HOME: extra.HF_HOME, HF_ENDPOINT: hub.endpoint, HF_HUB_DISABLE_PROGRESS_BARS: "1",
    HF_DATASETS_DISABLE_PROGRESS_BARS: "1", HF_HUB_DISABLE_TELEMETRY: "1", ...extra,
  };
  const { stdout } = await promisify(execFile)(interopPython(), [CLIENT, JSON.stringify(calls)], { env: childEnv, maxBuffer: 1 << 24 });
  return JSON.parse(stdout.trim().split("\n").pop()!) as PythonAnswer[];
}

let hub: HubDouble;
let answers: PythonAnswer[];
/** The HF_HOME datasets downloaded into. */
let pythonHome: string;
const pythonAbsent = skipUnlessPython("datasets");
before(async () => {
  hub = await HubDouble.start({ lfsThreshold: 512 });
  for (const [id, files] of Object.entries(LAYOUTS)) hub.addRepoFromFolder(id, writeRepoFolder(files), { type: "dataset" });
  hub.addRepoFromFolder("org/gated-data", writeRepoFolder(LAYOUTS["org/card-default"]), { type: "dataset", gated: true, tokens: [GATED_TOKEN] });
  if (pythonAbsent) return;
  const calls = [
    ...Object.keys(LAYOUTS).map((id) => ({ config_names: id })),
    ...LOADS,
    { path: "org/card-data-dir" }, { path: "org/card-default", name: "nope" }, { path: "org/card-default", split: "validation" },
  ];
  pythonHome = temporaryDirectory("embedtune-hf-datasets-python-");
  const started = Date.now();
  answers = await runDatasets(calls, { HF_HOME: pythonHome });
  console.log(`datasets: ${calls.length} calls in ${Date.now() - started} ms`);
});
after(() => hub.close());
const env = useHubTestEnv(() => hub);

function pythonResult(index: number): unknown {
  const answer = answers[index];
  assert.equal(answer.error, undefined, `datasets failed: ${JSON.stringify(answer)}`);
  return (answer as { result: unknown }).result;
}

/** datasets' error message and embedtune's, both with their line breaks and usage hints dropped. */
function sameMessage(embedtune: string, python: string): void {
  const firstSentences = python.split("\n").slice(0, 2).join(" ").replace(/\s+/g, " ").trim();
  assert.ok(embedtune.replace(/\s+/g, " ").includes(firstSentences), `embedtune: ${embedtune}\ndatasets:  ${python}`);
}

describe("loadDataset against the real datasets", { skip: pythonAbsent }, () => {
  const repoIds = Object.keys(LAYOUTS);

  test("the same config names (embedtune's are the ones its unknown-config error lists)", async () => {
    for (const [index, id] of repoIds.entries()) {
      const names = pythonResult(index) as string[];
      await assert.rejects(loadDataset(id, "no-such-config"), (error: Error) => {
        assert.match(error.message, /Available: (\[.*?\])/);
        assert.equal(/Available: (\[.*?\])/.exec(error.message)![1], `[${names.map((name) => `'${name}'`).join(", ")}]`, id);
        return true;
      });
    }
  });

  for (const [offset, load] of LOADS.entries()) {
    test(`${describeLoad(load)}: the same splits, columns and rows in the same order`, async () => {
      assert.deepEqual(await loadLikeDatasets(load), pythonResult(repoIds.length + offset));
    });
  }

  test("the Hub cache datasets filled loads in embedtune with HF_HUB_OFFLINE=1: no request, the same rows", async () => {
    process.env.HF_HOME = pythonHome;
    process.env.HF_HUB_OFFLINE = "1";
    hub.requests.length = 0;
    for (const [offset, load] of LOADS.entries()) assert.deepEqual(await loadLikeDatasets(load), pythonResult(repoIds.length + offset), describeLoad(load));
    assert.deepEqual(hub.requests, []);
  });

  test("embedtune fills the Hub cache; datasets online reuses it without downloading a file again, the same rows", async () => {
    const reused: Load[] = [{ path: "org/card-splits" }, { path: "org/sharded" }, { path: "org/keywords" }];
    const ours = [];
    for (const load of reused) ours.push(await loadLikeDatasets(load));
    hub.requests.length = 0;
    const theirs = await runDatasets(reused, { HF_HOME: env.home });
    assert.deepEqual(theirs.map((answer) => answer.error === undefined ? answer.result : answer), ours);
    const downloads = hub.requests.filter((request) => request.method === "GET" && (request.origin === "cdn" || request.path.includes("/resolve/")));
    assert.deepEqual(downloads.map((request) => request.path), []);
    // datasets only probes its metadata files (README.md, .huggingface.yaml, dataset_infos.json, <name>.py); the data
    // files it takes from embedtune's snapshot folders without even a HEAD
    const dataFileRequests = hub.requests.filter((request) => request.path.includes("/resolve/") && !/\/(README\.md|\.huggingface\.yaml|dataset_infos\.json|[^/]+\.py)$/.test(request.path));
    assert.deepEqual(dataFileRequests.map((request) => `${request.method} ${request.path}`), []);
  });

  test("a gated dataset: datasets and embedtune refuse without a token, load the same rows with one", async () => {
    const home = temporaryDirectory("embedtune-hf-datasets-gated-");
    const [refused] = await runDatasets([{ path: "org/gated-data" }], { HF_HOME: home });
    assert.equal(refused.error, "DatasetNotFoundError", JSON.stringify(refused));
    assert.match((refused as { message: string }).message, /gated dataset on the Hub\. You must be authenticated/);
    await assert.rejects(loadDataset("org/gated-data"), (error: Error) => error instanceof GatedRepoError && /gated repo: accept the licence/.test(error.message));
    const [served] = await runDatasets([{ path: "org/gated-data" }], { HF_HOME: home, HF_TOKEN: GATED_TOKEN });
    process.env.HF_TOKEN = GATED_TOKEN;
    assert.deepEqual(await loadLikeDatasets({ path: "org/gated-data" }), (served as { result: unknown }).result);
  });

  test("a missing config and an unknown config, an unknown split: datasets' messages", async () => {
    const base = repoIds.length + LOADS.length;
    const [missing, unknown, badSplit] = [answers[base], answers[base + 1], answers[base + 2]] as { error: string; message: string }[];
    console.log(`datasets says:\n  ${missing.error}: ${missing.message}\n  ${unknown.error}: ${unknown.message}\n  ${badSplit.error}: ${badSplit.message}`);
    await assert.rejects(loadDataset("org/card-data-dir"), (error: Error) => (sameMessage(error.message, missing.message), true));
    await assert.rejects(loadDataset("org/card-default", "nope"), (error: Error) => (sameMessage(error.message, unknown.message), true));
    await assert.rejects(loadDataset("org/card-default", undefined, { split: "validation" }), (error: Error) => (sameMessage(error.message, badSplit.message), true));
  });
});
