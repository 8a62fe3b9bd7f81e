// The Hub module against the REAL Python huggingface_hub (test/support/python-interop.ts; skips naming the module
// when it is absent), both against the same Hub double (HF_ENDPOINT) and each test's HF_HOME:
//   Python fills (snapshot_download, hf_hub_download by branch and at a pinned commit), embedtune reads offline
//   with zero requests and the served model's embeddings; embedtune fills, Python reads offline (same paths,
//   scan_cache_dir without warnings) and online revalidates with HEAD only; the two caches of one repo are the same
//   tree; a gated repo is refused by both without a token and served to both with one; Python's sentence-transformers
//   loads the model embedtune downloaded without a request, and embedtune loads offline what it downloaded.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { downloadFiles, GatedRepoError, openRepository, resolveModelFolder } from "../../src/hub/index.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { HubDouble } from "../support/hub-double.ts";
import { tinyModelTemplate } from "../support/model-fixtures.ts";
import { interopPython, skipUnlessPython } from "../support/python-interop.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { useHubTestEnv } from "./hub-test-env.ts";

const CLIENT = join(import.meta.dirname, "hub_client.py");
const GATED_TOKEN = "hf_accepted";

interface PythonCall {
  op: "snapshot_download" | "hf_hub_download" | "scan_cache_dir" | "encode";
  args?: Record<string, unknown>;
}
type PythonAnswer = { result: unknown; error?: undefined } | { error: string; message: string };

let hub: HubDouble;
let pinned: string;
let head: string;
let dev: string;
before(async () => {
  hub = await HubDouble.start({ lfsThreshold: 1024 });
  const repo = hub.addRepoFromFolder("org/tiny", await tinyModelTemplate());
  pinned = repo.resolve("main")!;
  head = repo.commit({ "README.md": "# tiny\n" });
  dev = repo.commit({ "README.md": "# dev branch\n" }, { branch: "dev" });
  hub.addRepoFromFolder("org/tiny-copy", await tinyModelTemplate());
  const mixed = hub.addRepo("org/mixed");
  mixed.commit({ "docs/naïve notes #1.txt": "accents and a space\n", "data/ünïcode/ß.json": "{}", "big file.bin": "x".repeat(3000), "a+b=c.txt": "plus" });
  mixed.commit({ "docs/naïve notes #1.txt": "second version\n" }, { branch: "refs/pr/1" });
  mixed.tag("v1.0", mixed.resolve("main")!);
  hub.addRepoFromFolder("org/gated", await tinyModelTemplate(), { gated: true, tokens: [GATED_TOKEN] });
});
after(() => hub.close());
const env = useHubTestEnv(() => hub);

/** Runs the calls in one Python process with this test's HF_HOME and HF_ENDPOINT (plus `extra`); asynchronous, so the double answers meanwhile. */
async function python(calls: PythonCall[], extra: Record<string, string> = {}): Promise<PythonAnswer[]> {
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? "", HOME: env.home, HF_HOME: env.home, HF_ENDPOINT: hub.endpoint,
    HF_HUB_DISABLE_PROGRESS_BARS: "1", HF_HUB_DISABLE_TELEMETRY: "1", ...extra,
  };
  const { stdout } = await promisify(execFile)(interopPython(), [CLIENT, JSON.stringify(calls)], { env: childEnv, maxBuffer: 1 << 24 });
  return JSON.parse(stdout.trim().split("\n").pop()!) as PythonAnswer[];
}

function resultOf(answer: PythonAnswer): unknown {
  assert.equal(answer.error, undefined, `Python failed: ${JSON.stringify(answer)}`);
  return (answer as { result: unknown }).result;
}

/** Requests about repo files (the double also sees Python's unrelated GET /api/agent-harnesses). */
const repoRequests = () => hub.requests.filter((request) => !request.path.startsWith("/api/agent-harnesses"));
const bodyGets = () => repoRequests().filter((request) => request.method === "GET" && (request.origin === "cdn" || request.path.includes("/resolve/")));

async function embeddingOf(model: SentenceTransformer): Promise<number[]> {
  const [embedding] = await model.encode(["a sentence about caches"]);
  model.dispose();
  return embedding;
}

/** Every entry below `root`: "path/" for folders, "path -> target" for symlinks, "path: content" for CACHEDIR.TAG and the files under refs/ and trees/. */
function cacheTree(root: string): string[] {
  const lines: string[] = [];
  const walk = (relative: string) => {
    for (const name of readdirSync(join(root, relative)).sort()) {
      const path = relative ? `${relative}/${name}` : name;
      const stat = lstatSync(join(root, path));
      if (stat.isSymbolicLink()) lines.push(`${path} -> ${readlinkSync(join(root, path))}`);
      else if (stat.isDirectory()) {
        lines.push(`${path}/`);
        walk(path);
      } else if (/(^|\/)(refs|trees)\/|^CACHEDIR\.TAG$/.test(path)) lines.push(`${path}: ${readFileSync(join(root, path), "utf8").replace(/\n/g, "\\n")}`);
      else lines.push(`${path} (${stat.size} bytes)`);
    }
  };
  walk("");
  return lines;
}

describe("with the real huggingface_hub", { skip: skipUnlessPython("huggingface_hub") }, () => {
  test("Python fills the cache (snapshot, a branch, a pinned commit); embedtune reads it offline with zero requests", async () => {
    const [snapshot, devReadme, pinnedSnapshot] = (await python([
      { op: "snapshot_download", args: { repo_id: "org/tiny" } },
      { op: "hf_hub_download", args: { repo_id: "org/tiny", filename: "README.md", revision: "dev" } },
      { op: "snapshot_download", args: { repo_id: "org/tiny", revision: pinned } },
    ])).map(resultOf) as string[];
    assert.equal(snapshot, join(env.cache, "models--org--tiny", "snapshots", head));
    hub.requests.length = 0;
    process.env.HF_HUB_OFFLINE = "1";
    assert.deepEqual(await resolveModelFolder("org/tiny"), { folder: snapshot, repoId: "org/tiny", commit: head });
    assert.equal((await resolveModelFolder("org/tiny", { revision: pinned })).folder, pinnedSnapshot);
    const devSnapshot = await openRepository("org/tiny", "model", { revision: "dev" });
    assert.equal(join(devSnapshot.folder, "README.md"), devReadme);
    assert.equal(devSnapshot.commit, dev);
    const expected = await embeddingOf(await SentenceTransformer.load(await tinyModelTemplate(), { quiet: true }));
    assert.deepEqual(await embeddingOf(await SentenceTransformer.load("org/tiny", { quiet: true })), expected);
    assert.deepEqual(await embeddingOf(await SentenceTransformer.load("org/tiny", { quiet: true, revision: pinned })), expected);
    assert.deepEqual(hub.requests, [], "embedtune made no request");
  });

  test("embedtune fills the cache; Python reads it offline (same paths, scan_cache_dir clean) and online with HEAD only", async () => {
    const model = await SentenceTransformer.load("org/tiny", { quiet: true });
    model.dispose();
    const folder = join(env.cache, "models--org--tiny", "snapshots", head);
    const fetched = bodyGets().filter((request) => request.origin === "hub").map((request) => decodeURIComponent(request.path.replace(/^.*\/resolve\/[^/]+\//, ""))).sort();
    assert.ok(fetched.includes("model.safetensors") && fetched.includes("modules.json"), fetched.join(", "));
    const answers = await python([
      { op: "snapshot_download", args: { repo_id: "org/tiny", allow_patterns: fetched } },
      ...fetched.map((filename): PythonCall => ({ op: "hf_hub_download", args: { repo_id: "org/tiny", filename, local_files_only: true } })),
      { op: "scan_cache_dir" },
    ], { HF_HUB_OFFLINE: "1" });
    const [snapshot, ...rest] = answers.map(resultOf);
    const scan = rest.pop() as { repos: { repo_id: string; nb_files: number; refs: string[]; revisions: string[] }[]; warnings: string[]; table: string };
    assert.equal(snapshot, folder);
    assert.deepEqual(rest, fetched.map((path) => join(folder, path)));
    console.log(`scan_cache_dir() of the cache embedtune filled:\n${scan.table}`);
    assert.deepEqual(scan.warnings, []);
    assert.deepEqual(scan.repos.map(({ repo_id, nb_files, refs, revisions }) => ({ repo_id, nb_files, refs, revisions })), [
      { repo_id: "org/tiny", nb_files: fetched.length, refs: ["main"], revisions: [head] },
    ]);

    hub.requests.length = 0;
    const online = (await python(["config.json", "model.safetensors"].map((filename): PythonCall => ({ op: "hf_hub_download", args: { repo_id: "org/tiny", filename } })))).map(resultOf);
    assert.deepEqual(online, [join(folder, "config.json"), join(folder, "model.safetensors")]);
    assert.deepEqual(bodyGets(), [], "a valid cache entry is not downloaded again");
    assert.deepEqual(repoRequests().map((request) => `${request.origin} ${request.method} ${request.path}`), [
      "hub HEAD /org/tiny/resolve/main/config.json", "hub HEAD /org/tiny/resolve/main/model.safetensors",
    ]);
  });

  test("the caches Python and embedtune fill from one repo are the same tree but for Python's .locks/", async () => {
    const pythonHome = temporaryDirectory("embedtune-hf-python-");
    await python([{ op: "snapshot_download", args: { repo_id: "org/tiny" } }], { HF_HOME: pythonHome });
    (await SentenceTransformer.load("org/tiny", { quiet: true })).dispose();
    const pythonTree = cacheTree(join(pythonHome, "hub"));
    const embedtuneTree = cacheTree(env.cache);
    console.log(`The cache of org/tiny (embedtune; Python's is the same plus .locks/):\n${embedtuneTree.join("\n")}`);
    // .locks/: huggingface_hub's filelock files, one per blob; embedtune downloads into process-unique
    // blobs/<etag>.<hex>.incomplete and renames, so it needs no lock files (cache-layout.ts). Nothing reads them.
    const onlyPython = pythonTree.filter((line) => !embedtuneTree.includes(line));
    assert.ok(onlyPython.every((line) => line.startsWith(".locks/")), `only in Python's cache: ${onlyPython.join(", ")}`);
    assert.ok(onlyPython.length > 0, "Python leaves its .locks/");
    assert.deepEqual(embedtuneTree.filter((line) => !pythonTree.includes(line)), [], "nothing only in embedtune's cache");
  });

  test("files with spaces, non-ASCII and URL-special names, a tag and a PR ref: the same caches", async () => {
    const pythonHome = temporaryDirectory("embedtune-hf-python-");
    const revisions = ["main", "v1.0", "refs/pr/1"];
    (await python(revisions.map((revision): PythonCall => ({ op: "snapshot_download", args: { repo_id: "org/mixed", revision } })), { HF_HOME: pythonHome })).forEach(resultOf);
    for (const revision of revisions) {
      const snapshot = await openRepository("org/mixed", "model", { revision });
      await downloadFiles(snapshot, snapshot.files.map((file) => file.path));
    }
    const pythonTree = cacheTree(join(pythonHome, "hub"));
    const embedtuneTree = cacheTree(env.cache);
    console.log(`org/mixed (embedtune):\n${embedtuneTree.filter((line) => !line.includes("/blobs/") || line.includes(" -> ")).join("\n")}`);
    assert.deepEqual(pythonTree.filter((line) => !line.startsWith(".locks/")), embedtuneTree);
  });

  test("a gated repo: both refuse without a token and download with one", async () => {
    const [refused] = await python([{ op: "hf_hub_download", args: { repo_id: "org/gated", filename: "config.json" } }]);
    assert.equal(refused.error, "GatedRepoError", JSON.stringify(refused));
    await assert.rejects(resolveModelFolder("org/gated"), (error) => error instanceof GatedRepoError && /accept the licence .* and set HF_TOKEN/.test(error.message));
    const [served] = (await python([{ op: "snapshot_download", args: { repo_id: "org/gated" } }], { HF_TOKEN: GATED_TOKEN })).map(resultOf);
    const otherCache = temporaryDirectory("embedtune-hf-gated-");
    const { folder } = await resolveModelFolder("org/gated", { token: GATED_TOKEN, cacheFolder: otherCache });
    assert.equal(readFileSync(join(folder, "config.json"), "utf8"), readFileSync(join(served as string, "config.json"), "utf8"));
    const [wrongToken] = await python([{ op: "hf_hub_download", args: { repo_id: "org/gated", filename: "config.json" } }], { HF_TOKEN: "hf_other", HF_HOME: temporaryDirectory() });
    assert.equal(wrongToken.error, "GatedRepoError", JSON.stringify(wrongToken));
    await assert.rejects(resolveModelFolder("org/gated", { token: "hf_other", cacheFolder: temporaryDirectory() }), GatedRepoError);
  });

  test("sentence-transformers: loads embedtune's download with local_files_only, and embedtune loads its download offline", { skip: skipUnlessPython("sentence_transformers") }, async () => {
    const sentences = ["a sentence about caches"];
    const expected = await embeddingOf(await SentenceTransformer.load(await tinyModelTemplate(), { quiet: true }));
    (await SentenceTransformer.load("org/tiny", { quiet: true })).dispose();
    hub.requests.length = 0;
    const [fromEmbedtuneCache, downloaded] = (await python([
      { op: "encode", args: { model: "org/tiny", sentences, local_files_only: true } },
      { op: "encode", args: { model: "org/tiny-copy", sentences } },
    ])).map(resultOf) as number[][][];
    assert.deepEqual(repoRequests().filter((request) => request.path.includes("org/tiny/") || request.path.endsWith("org/tiny")), [], "no request for the model embedtune downloaded");
    assert.ok(repoRequests().some((request) => request.path.includes("org/tiny-copy")), "sentence-transformers downloaded org/tiny-copy");
    for (const [index, value] of fromEmbedtuneCache[0].entries()) assert.ok(Math.abs(value - expected[index]) < 1e-5, `dimension ${index}: ${value} vs ${expected[index]}`);
    hub.requests.length = 0;
    process.env.HF_HUB_OFFLINE = "1";
    assert.deepEqual(await embeddingOf(await SentenceTransformer.load("org/tiny-copy", { quiet: true })), expected);
    assert.deepEqual(hub.requests, [], "embedtune read sentence-transformers' download without a request");
    assert.ok(downloaded[0].every((value, index) => Math.abs(value - expected[index]) < 1e-5));
  });
});
