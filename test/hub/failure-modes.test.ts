// The failures and mirrors real users meet, against the Hub double's switches: transient statuses and 429 with
// Retry-After (retried as huggingface_hub's http_backoff), stalled bodies and metadata (HF_HUB_DOWNLOAD_TIMEOUT,
// HF_HUB_ETAG_TIMEOUT), bodies that end short, a mirror with only /resolve/, HF_ENDPOINT with a path prefix,
// renamed repos, files on another origin, and an unreachable Hub or unknown host (cache fallback).
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import {
  downloadFiles, HubApiUnavailableError, HubNetworkError, HubUnreachableError, openRepository, resolveModelFolder, UnsupportedRepoError,
} from "../../src/hub/index.ts";
import { RETRY_POLICY } from "../../src/hub/http.ts";
import { HubDouble } from "../support/hub-double.ts";
import { useHubTestEnv } from "./hub-test-env.ts";

const weights = randomBytes(300_000);
const denseWeights = randomBytes(5000);
const files: Record<string, string | Uint8Array> = {
  "modules.json": JSON.stringify([
    { idx: 0, name: "0", path: "", type: "sentence_transformers.models.Transformer" },
    { idx: 1, name: "1", path: "1_Pooling", type: "sentence_transformers.models.Pooling" },
    { idx: 2, name: "2", path: "2_Dense", type: "sentence_transformers.models.Dense" },
  ]),
  "config.json": '{"model_type": "bert"}',
  "tokenizer.json": '{"version": "1.0"}',
  "1_Pooling/config.json": '{"pooling_mode_mean_tokens": true}',
  "2_Dense/config.json": '{"in_features": 4, "out_features": 4}',
  "2_Dense/model.safetensors": denseWeights,
  "model.safetensors": weights,
  "pytorch_model.bin": randomBytes(2000),
  "README.md": "# tiny",
};
const wanted = Object.keys(files).filter((path) => path !== "pytorch_model.bin").sort();
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

let hub: HubDouble;
let head: string;
const savedPolicy = { ...RETRY_POLICY };
before(async () => {
  hub = await HubDouble.start({ lfsThreshold: 1024 });
  head = hub.addRepo("org/tiny").commit(files);
  hub.addRepo("org/pickled").commit({ "config.json": "{}", "vocab.txt": "[PAD]\n", "pytorch_model.bin": randomBytes(2000) });
  hub.addRepo("org/pairs", { type: "dataset" }).commit({ "README.md": "# pairs", "data/train.parquet": randomBytes(2000) });
  Object.assign(RETRY_POLICY, { baseWaitMs: 20, maxWaitMs: 160, maxRetryAfterMs: 60_000 });
});
after(async () => {
  Object.assign(RETRY_POLICY, savedPolicy);
  await hub.close();
});
const env = useHubTestEnv(() => hub);

/** stderr lines written during a test */
let stderrLines: string[] = [];
const writeStderr = process.stderr.write.bind(process.stderr);
beforeEach(() => {
  stderrLines = [];
  process.stderr.write = ((chunk: string | Uint8Array) => (stderrLines.push(String(chunk)), true)) as typeof process.stderr.write;
});
afterEach(() => {
  process.stderr.write = writeStderr;
  RETRY_POLICY.maxRetryAfterMs = 60_000;
});

const summary = () => hub.requests.map((request) => `${request.origin} ${request.method} ${request.path}`).join("\n");
const count = (method: string, pathPart: string) => hub.requestsTo(method, pathPart).length;
const cdnRequests = () => hub.requests.filter((request) => request.origin === "cdn");

async function assertWholeModel(folder: string): Promise<void> {
  for (const path of wanted) assert.deepEqual(readFileSync(join(folder, path)), Buffer.from(files[path]), path);
  assert.ok(!existsSync(join(folder, "pytorch_model.bin")));
  const blobs = readdirSync(join(env.cache, "models--org--tiny/blobs"));
  assert.deepEqual(blobs.filter((name) => name.includes(".incomplete")), [], "no partial file left");
}

/** A port on 127.0.0.1 that nothing listens on. */
function closedPort(): Promise<number> {
  const server = createServer();
  return new Promise((done) => server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo;
    server.close(() => done(port));
  }));
}

describe("transient errors, retried as http_backoff", () => {
  for (const status of [500, 502, 503, 504]) {
    test(`${status} twice on the revision API, then the answer`, async () => {
      hub.switches.failures.push({ status, times: 2, path: "/api/models/org/tiny/revision/" });
      await assertWholeModel((await resolveModelFolder("org/tiny")).folder);
      assert.equal(count("GET", "/revision/main"), 3, summary());
      assert.equal(stderrLines.filter((line) => line.includes("retrying in")).length, 2, stderrLines.join(""));
    });
  }

  test("503 on the tree API, a HEAD and an LFS file GET (on the CDN): each retried, the files exact", async () => {
    hub.switches.failures.push({ status: 503, times: 1, path: "/tree/" });
    hub.switches.failures.push({ status: 502, times: 2, path: "/cdn/" });
    await assertWholeModel((await resolveModelFolder("org/tiny")).folder);
    assert.equal(count("GET", "/tree/"), 2, summary());
    assert.equal(cdnRequests().filter((request) => request.path.includes(sha256(weights))).length, 3, summary());

    const snapshot = await openRepository("org/tiny", "model", { revision: head });
    hub.requests.length = 0;
    hub.switches.failures.push({ status: 504, times: 2, path: "/resolve/", method: "HEAD" });
    process.env.HF_HUB_CACHE = join(env.home, "fresh");
    const fromFolder = { ...snapshot, cacheRoot: join(env.home, "fresh"), folder: join(env.home, "fresh/models--org--tiny/snapshots", head), listing: "snapshot" as const, files: [] };
    const [local] = await downloadFiles(fromFolder, ["config.json"]);
    assert.equal(readFileSync(local, "utf8"), files["config.json"]);
    assert.equal(count("HEAD", "/config.json"), 3, summary());
  });

  test("429 without Retry-After backs off; with Retry-After: 1 it waits 1 s + 1 s as Python does", async () => {
    hub.switches.failures.push({ status: 429, times: 1, path: "/revision/" });
    await resolveModelFolder("org/tiny");
    assert.equal(count("GET", "/revision/"), 2);
    hub.switches.failures.push({ status: 429, times: 1, path: "/revision/", retryAfter: "1" });
    const started = performance.now();
    await resolveModelFolder("org/tiny", { cacheFolder: join(env.home, "second") });
    assert.ok(performance.now() - started >= 1900, `waited ${performance.now() - started} ms`);
    assert.match(stderrLines.join(""), /429 Too Many Requests for \/api\/models\/org\/tiny\/revision\/main; retrying in 2\.0 s \[retry 1\/5\]/);
  });

  test("a Retry-After of an hour is capped (maxRetryAfterMs)", async () => {
    RETRY_POLICY.maxRetryAfterMs = 200;
    hub.switches.failures.push({ status: 503, times: 1, path: "/revision/", retryAfter: "3600" });
    const started = performance.now();
    await resolveModelFolder("org/tiny");
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 180 && elapsed < 3000, `waited ${elapsed} ms`);
  });

  test("503 every time: one line after 5 retries (6 requests); a 404 is never retried", async () => {
    hub.switches.failures.push({ status: 503, times: Infinity, path: "/revision/" });
    await assert.rejects(resolveModelFolder("org/tiny"), (error: Error) => {
      assert.ok(error instanceof HubNetworkError);
      assert.equal(error.message, `${hub.endpoint}: 503 Service Unavailable for /api/models/org/tiny/revision/main (after 5 retries)`);
      return true;
    });
    assert.equal(count("GET", "/revision/"), 6);
    hub.resetSwitches();
    hub.requests.length = 0;
    await assert.rejects(resolveModelFolder("org/absent"));
    assert.equal(count("GET", "/revision/"), 1);
  });

  test("with the revision cached, a 503 is not retried: the cache answers after one request, with a note", async () => {
    await resolveModelFolder("org/tiny");
    hub.requests.length = 0;
    hub.switches.failures.push({ status: 503, times: Infinity, path: "/revision/" });
    const { commit } = await resolveModelFolder("org/tiny");
    assert.equal(commit, head);
    assert.equal(hub.requests.length, 1, summary());
    assert.match(stderrLines.join(""), new RegExp(`^org/tiny: .*503 Service Unavailable.*; using the cached snapshot ${head}\\n$`));
  });
});

describe("stalls and short bodies", () => {
  test("a body that stops sending for longer than HF_HUB_DOWNLOAD_TIMEOUT is resumed with Range", { timeout: 10_000 }, async () => {
    process.env.HF_HUB_DOWNLOAD_TIMEOUT = "0.3";
    hub.switches.stall = { path: "model.safetensors", times: 1, afterBytes: 100_000 };
    const started = performance.now();
    await assertWholeModel((await resolveModelFolder("org/tiny")).folder);
    assert.ok(performance.now() - started < 5000);
    const gets = cdnRequests().filter((request) => request.path.includes(sha256(weights)));
    assert.equal(gets.length, 2, summary());
    assert.match(String(gets[1].headers.range), /^bytes=[1-9]\d*-$/);
  });

  test("a metadata call that never answers: retried after HF_HUB_ETAG_TIMEOUT", { timeout: 10_000 }, async () => {
    process.env.HF_HUB_ETAG_TIMEOUT = "0.3";
    hub.switches.stall = { path: "/revision/main", times: 1 };
    await assertWholeModel((await resolveModelFolder("org/tiny")).folder);
    assert.equal(count("GET", "/revision/main"), 2, summary());
  });

  for (const chunked of [true, false]) {
    test(`a body that ends cleanly short of the size (${chunked ? "chunked, no Content-Length" : "Content-Length, then a graceful close"}) is resumed, not stored`, async () => {
      hub.switches.shortBody = { path: "model.safetensors", times: 1, bytes: 100_000, chunked };
      await assertWholeModel((await resolveModelFolder("org/tiny")).folder);
      const gets = cdnRequests().filter((request) => request.path.includes(sha256(weights)));
      assert.equal(gets.length, 2, summary());
      // chunked: every byte sent arrived; a close short of Content-Length may lose what undici had not handed over yet
      assert.match(String(gets[1].headers.range), chunked ? /^bytes=100000-$/ : /^bytes=[1-9]\d*-$/);
    });
  }

  test("short every time and Range ignored: one line, nothing renamed into blobs/", async () => {
    hub.switches.shortBody = { path: "model.safetensors", times: Infinity, bytes: 100_000, chunked: true };
    hub.switches.refuseRange = true;
    await assert.rejects(resolveModelFolder("org/tiny"), (error: Error) =>
      error instanceof HubUnreachableError && /model\.safetensors gained nothing in 5 retries, the last error: the answer ended at byte 100000 of 300000$/.test(error.message));
    assert.ok(!readdirSync(join(env.cache, "models--org--tiny/blobs")).some((name) => name.startsWith(sha256(weights))));
  });
});

describe("a mirror with only /resolve/", () => {
  for (const apiless of ["404", "html"] as const) {
    test(`API ${apiless === "404" ? "404 without X-Error-Code" : "answering HTML"}: commit from HEAD modules.json, files found by HEAD, absences in .no_exist/`, async () => {
      hub.switches.apiless = apiless;
      const { folder, commit } = await resolveModelFolder("org/tiny");
      assert.equal(commit, head);
      await assertWholeModel(folder);
      const root = join(env.cache, "models--org--tiny");
      assert.equal(readFileSync(join(root, "refs/main"), "utf8"), head);
      assert.ok(existsSync(join(root, ".no_exist", head, "vocab.txt")));
      assert.ok(existsSync(join(root, ".no_exist", head, "1_Pooling/tokenizer.json")));
      assert.ok(!existsSync(join(root, "trees")));
      assert.equal(hub.requests.filter((request) => request.path.includes("pytorch_model.bin") && request.method === "GET").length, 0);
      assert.equal(count("GET", "/api/"), 1, "one API attempt, not retried");

      hub.requests.length = 0;
      await resolveModelFolder("org/tiny");
      assert.deepEqual(summary().split("\n"), ["hub GET /api/models/org/tiny/revision/main", `hub HEAD /org/tiny/resolve/main/modules.json`], "second load: one API attempt and one HEAD");
    });
  }

  test("pickle weights only: found by HEAD, never fetched, the conversion advice (commit from config.json without modules.json)", async () => {
    hub.switches.apiless = "404";
    await assert.rejects(resolveModelFolder("org/pickled"), (error: Error) =>
      error instanceof UnsupportedRepoError && error.message.startsWith("org/pickled: the repo root has only PyTorch pickle weights (pytorch_model.bin), which embedtune never loads; convert them once with"));
    assert.equal(count("HEAD", "/resolve/main/config.json"), 1, summary());
    assert.equal(hub.requests.filter((request) => request.method === "GET" && request.path.endsWith(".bin")).length, 0, summary());
  });

  test("a dataset cannot be listed there: one line; a cached revision still loads", async () => {
    hub.switches.apiless = "404";
    await assert.rejects(openRepository("org/pairs", "dataset"), (error: Error) => {
      assert.ok(error instanceof HubApiUnavailableError);
      assert.equal(error.message, `org/pairs: ${hub.endpoint} has no tree API (/api/datasets/org/pairs/revision/main answered 404 without X-Error-Code (a mirror without the Hub's API)), so a dataset's files cannot be listed; use an endpoint with /api/datasets/, or download the files and load them with loadDataset("parquet", { dataFiles })`);
      return true;
    });
    hub.switches.apiless = undefined;
    const online = await openRepository("org/pairs", "dataset");
    hub.switches.apiless = "html";
    assert.equal((await openRepository("org/pairs", "dataset")).commit, online.commit);
  });
});

describe("endpoints and redirects", () => {
  for (const slash of ["", "/"]) {
    test(`HF_ENDPOINT with a path prefix${slash ? " and a trailing slash" : ""}`, async () => {
      hub.switches.pathPrefix = "/hf-mirror";
      process.env.HF_ENDPOINT = `${hub.endpoint}/hf-mirror${slash}`;
      await assertWholeModel((await resolveModelFolder("org/tiny")).folder);
      assert.ok(hub.requests.filter((request) => request.origin === "hub").every((request) => request.path.startsWith("/hf-mirror/org/") || request.path.startsWith("/hf-mirror/api/")), summary());
    });
  }

  test("a renamed repo (307 to the new id, relative, below the prefix): cached under the id asked for, as Python", async () => {
    hub.switches.pathPrefix = "/hf-mirror";
    hub.switches.renamed.set("org/old-name", "org/tiny");
    process.env.HF_ENDPOINT = `${hub.endpoint}/hf-mirror`;
    process.env.HF_TOKEN = "hf_x";
    const { folder } = await resolveModelFolder("org/old-name");
    assert.equal(folder, join(env.cache, "models--org--old-name/snapshots", head));
    for (const path of wanted) assert.deepEqual(readFileSync(join(folder, path)), Buffer.from(files[path]), path);
    assert.ok(count("GET", "/hf-mirror/api/models/org/tiny/revision/main") === 1, summary());
    assert.ok(hub.requests.filter((request) => request.origin === "hub").every((request) => request.headers.authorization === "Bearer hf_x"));
  });

  test("a git file redirected to another origin: fetched there, without the token", async () => {
    hub.switches.offOrigin.add("config.json");
    process.env.HF_TOKEN = "hf_x";
    await assertWholeModel((await resolveModelFolder("org/tiny")).folder);
    const elsewhere = cdnRequests().filter((request) => request.path.startsWith("/git/"));
    assert.equal(elsewhere.length, 1, summary());
    assert.equal(elsewhere[0].headers.authorization, undefined);
  });
});

describe("an unreachable Hub", () => {
  test("connection refused: the cached revision loads with one note; uncached, one line naming the endpoint, at once", async () => {
    await resolveModelFolder("org/tiny");
    const closed = await closedPort();
    process.env.HF_ENDPOINT = `http://127.0.0.1:${closed}`;
    stderrLines = [];
    assert.equal((await resolveModelFolder("org/tiny")).commit, head);
    assert.deepEqual(stderrLines, [`org/tiny: cannot reach http://127.0.0.1:${closed} (connect ECONNREFUSED 127.0.0.1:${closed}); using the cached snapshot ${head}\n`]);
    const started = performance.now();
    await assert.rejects(resolveModelFolder("org/other"), (error: Error) =>
      error instanceof HubUnreachableError && error.message === `no local folder org/other; as a Hub model id: cannot reach http://127.0.0.1:${closed} (connect ECONNREFUSED 127.0.0.1:${closed}); check HF_ENDPOINT and the network, or set HF_HUB_OFFLINE=1 to use only the cache`);
    assert.ok(performance.now() - started < 1000, "a refused connection is not retried");
  });

  test("an unknown host name (DNS): the same, naming the endpoint", async () => {
    await resolveModelFolder("org/tiny");
    process.env.HF_ENDPOINT = "http://nonexistent.invalid";
    assert.equal((await resolveModelFolder("org/tiny")).commit, head);
    assert.match(stderrLines.join(""), /^org\/tiny: cannot reach http:\/\/nonexistent\.invalid \(getaddrinfo \w+ nonexistent\.invalid\); using the cached snapshot/);
    await assert.rejects(resolveModelFolder("org/other"), (error: Error) =>
      error instanceof HubUnreachableError && /^no local folder org\/other; as a Hub model id: cannot reach http:\/\/nonexistent\.invalid \(getaddrinfo \w+ nonexistent\.invalid\); check HF_ENDPOINT/.test(error.message));
  });
});
