// Downloads by Hub id against the Hub double: Python's cache layout, request counts (second load, offline,
// pinned commits), branches, gated repos and tokens, resume after a cut, corrupted blobs, pagination, and a
// cache written by hand the way Python writes it.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  CorruptDownloadError, downloadFiles, GatedRepoError, HubUnreachableError, OfflineCacheMissError, openRepository,
  RepositoryNotFoundError, resolveModelFolder, RevisionNotFoundError,
} from "../../src/hub/index.ts";
import { HubDouble } from "../support/hub-double.ts";
import { useHubTestEnv } from "./hub-test-env.ts";

const LFS_THRESHOLD = 1024;
const weights = randomBytes(300_000);
const files = {
  "modules.json": JSON.stringify([
    { idx: 0, name: "0", path: "", type: "sentence_transformers.models.Transformer" },
    { idx: 1, name: "1", path: "1_Pooling", type: "sentence_transformers.models.Pooling" },
  ]),
  "config.json": '{"model_type": "bert"}',
  "tokenizer.json": '{"version": "1.0"}',
  "1_Pooling/config.json": '{"pooling_mode_mean_tokens": true}',
  "model.safetensors": weights,
  "pytorch_model.bin": randomBytes(2000),
  "onnx/model.onnx": randomBytes(2000),
  "README.md": "# tiny",
};

function sha1Git(content: string | Uint8Array): string {
  const bytes = typeof content === "string" ? Buffer.from(content) : content;
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Every path below `root` with " -> target" for symlinks, sorted. */
function listTree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) out.push(`${prefix}${name} -> ${readlinkSync(path)}`);
      else if (stat.isDirectory()) {
        out.push(`${prefix}${name}/`);
        walk(path, `${prefix}${name}/`);
      } else out.push(`${prefix}${name}`);
    }
  };
  walk(root, "");
  return out;
}

/** A port on 127.0.0.1 that nothing listens on. */
function closedPort(): Promise<number> {
  const server = createServer();
  return new Promise((done) => server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo;
    server.close(() => done(port));
  }));
}

let hub: HubDouble;
let head: string;
let first: string;
before(async () => {
  hub = await HubDouble.start({ lfsThreshold: LFS_THRESHOLD });
  const repo = hub.addRepo("org/tiny");
  first = repo.commit({ ...files, "README.md": "# first" });
  head = repo.commit({ "README.md": files["README.md"] });
  repo.commit({ "README.md": "# dev branch" }, { branch: "dev" });
  hub.addRepo("org/gated", { gated: true, tokens: ["hf_accepted", "plain-token"] }).commit(files);
  hub.addRepo("org/secret", { private: true, tokens: ["hf_owner"] }).commit(files);
});
after(() => hub.close());
const env = useHubTestEnv(() => hub);

const bodyGets = () => hub.requests.filter((request) => request.method === "GET" && !request.path.startsWith("/api/"));
const summary = () => hub.requests.map((request) => `${request.origin} ${request.method} ${request.path}`);

describe("first download", () => {
  test("fills the cache in huggingface_hub's layout: blobs by etag, relative symlinks, refs/main, trees/<commit>.json, CACHEDIR.TAG", async () => {
    const { folder, commit } = await resolveModelFolder("org/tiny");
    assert.equal(commit, head);
    assert.equal(folder, join(env.cache, "models--org--tiny", "snapshots", head));
    const blob = (content: string | Uint8Array) => `../../blobs/${typeof content === "string" ? sha1Git(content) : sha1Git(content)}`;
    assert.deepEqual(listTree(env.cache), [
      "CACHEDIR.TAG",
      "models--org--tiny/",
      "models--org--tiny/blobs/",
      ...[sha1Git(files["1_Pooling/config.json"]), sha1Git(files["README.md"]), sha1Git(files["config.json"]), sha1Git(files["modules.json"]), sha1Git(files["tokenizer.json"]), sha256(weights)]
        .sort()
        .map((name) => `models--org--tiny/blobs/${name}`),
      "models--org--tiny/refs/",
      "models--org--tiny/refs/main",
      "models--org--tiny/snapshots/",
      `models--org--tiny/snapshots/${head}/`,
      `models--org--tiny/snapshots/${head}/1_Pooling/`,
      `models--org--tiny/snapshots/${head}/1_Pooling/config.json -> ../${blob(files["1_Pooling/config.json"])}`,
      `models--org--tiny/snapshots/${head}/README.md -> ${blob(files["README.md"])}`,
      `models--org--tiny/snapshots/${head}/config.json -> ${blob(files["config.json"])}`,
      `models--org--tiny/snapshots/${head}/model.safetensors -> ../../blobs/${sha256(weights)}`,
      `models--org--tiny/snapshots/${head}/modules.json -> ${blob(files["modules.json"])}`,
      `models--org--tiny/snapshots/${head}/tokenizer.json -> ${blob(files["tokenizer.json"])}`,
      "models--org--tiny/trees/",
      `models--org--tiny/trees/${head}.json`,
    ]);
    assert.equal(readFileSync(join(env.cache, "models--org--tiny/refs/main"), "utf8"), head, "refs/main holds the commit without a newline");
    assert.deepEqual(readFileSync(join(folder, "model.safetensors")), weights);
    assert.match(readFileSync(join(env.cache, "CACHEDIR.TAG"), "utf8"), /^Signature: 8a477f597d28d172789f06886806bc55\n/);
    const tree = JSON.parse(readFileSync(join(env.cache, `models--org--tiny/trees/${head}.json`), "utf8"));
    assert.equal(tree.format_version, 1);
    assert.equal(tree.files["model.safetensors"].lfs_sha256, sha256(weights));
    assert.ok(!bodyGets().some((request) => /pytorch_model|onnx/.test(request.path)), "no pickle or onnx file is fetched");
  });

  test("the second load by branch makes only the revision request and no body GET", async () => {
    await resolveModelFolder("org/tiny");
    hub.requests.length = 0;
    const { folder } = await resolveModelFolder("org/tiny");
    assert.deepEqual(summary(), ["hub GET /api/models/org/tiny/revision/main"]);
    assert.ok(existsSync(join(folder, "config.json")));
  });

  test("HF_HUB_CACHE, then SENTENCE_TRANSFORMERS_HOME, then cacheFolder choose the cache", async () => {
    process.env.HF_HUB_CACHE = join(env.home, "elsewhere");
    assert.match((await resolveModelFolder("org/tiny")).folder, /elsewhere\/models--org--tiny\/snapshots\//);
    process.env.SENTENCE_TRANSFORMERS_HOME = join(env.home, "st-home");
    assert.match((await resolveModelFolder("org/tiny")).folder, /st-home\/models--org--tiny\/snapshots\//);
    const cacheFolder = join(env.home, "given");
    assert.match((await resolveModelFolder("org/tiny", { cacheFolder })).folder, /given\/models--org--tiny\/snapshots\//);
    assert.ok(existsSync(join(cacheFolder, "CACHEDIR.TAG")));
  });
});

describe("offline", () => {
  test("HF_HUB_OFFLINE=1 with a cache: zero requests, the same snapshot", async () => {
    const online = await resolveModelFolder("org/tiny");
    hub.requests.length = 0;
    process.env.HF_HUB_OFFLINE = "1";
    assert.deepEqual(await resolveModelFolder("org/tiny"), online);
    assert.deepEqual(hub.requests, []);
  });

  test("without a cache: one line naming the repo, revision and what is missing, and zero requests", async () => {
    process.env.HF_HUB_OFFLINE = "1";
    await assert.rejects(resolveModelFolder("org/tiny"), (error: Error) => {
      assert.ok(error instanceof OfflineCacheMissError);
      assert.equal(error.message, `org/tiny@main: revision "main" (refs/main) is not in the cache at ${join(env.cache, "models--org--tiny")} and downloads are off (HF_HUB_OFFLINE or localFilesOnly)`);
      return true;
    });
    assert.deepEqual(hub.requests, []);
  });

  test("localFilesOnly with a snapshot missing one file names that file and its cache path", async () => {
    const snapshot = await openRepository("org/tiny", "model");
    await downloadFiles(snapshot, ["config.json"]);
    hub.requests.length = 0;
    const offline = await openRepository("org/tiny", "model", { localFilesOnly: true });
    await assert.rejects(downloadFiles(offline, ["config.json", "tokenizer.json"], { localFilesOnly: true }), {
      message: `org/tiny@main: file tokenizer.json is not in the cache at ${join(offline.folder, "tokenizer.json")} and downloads are off (HF_HUB_OFFLINE or localFilesOnly)`,
    });
    assert.deepEqual(hub.requests, []);
  });

  test("TRANSFORMERS_OFFLINE=1 is offline too", async () => {
    process.env.TRANSFORMERS_OFFLINE = "1";
    await assert.rejects(openRepository("org/tiny", "model"), OfflineCacheMissError);
    assert.deepEqual(hub.requests, []);
  });
});

describe("revisions", () => {
  test("a revision pinned to a commit gives that commit's files; once cached, no request at all", async () => {
    const { folder, commit } = await resolveModelFolder("org/tiny", { revision: first });
    assert.equal(commit, first);
    assert.equal(readFileSync(join(folder, "README.md"), "utf8"), "# first");
    assert.ok(!existsSync(join(env.cache, "models--org--tiny/refs", first)), "no ref is written for a commit");
    hub.requests.length = 0;
    await resolveModelFolder("org/tiny", { revision: first });
    assert.deepEqual(hub.requests, []);
  });

  test("a branch other than main: its head, recorded in refs/dev", async () => {
    const { folder, commit } = await resolveModelFolder("org/tiny", { revision: "dev" });
    assert.equal(readFileSync(join(folder, "README.md"), "utf8"), "# dev branch");
    assert.equal(readFileSync(join(env.cache, "models--org--tiny/refs/dev"), "utf8"), commit);
    assert.notEqual(commit, head);
  });

  test("files last changed in different commits land in one snapshot folder, the head's", async () => {
    await resolveModelFolder("org/tiny");
    assert.deepEqual(readdirSync(join(env.cache, "models--org--tiny/snapshots")), [head]);
  });

  test("an unknown revision and an unknown repo: one line each", async () => {
    await assert.rejects(resolveModelFolder("org/tiny", { revision: "v9" }), (error: Error) =>
      error instanceof RevisionNotFoundError && error.message === 'org/tiny: revision "v9" not found (a branch, tag or 40-hex commit of the repo)');
    await assert.rejects(resolveModelFolder("org/nothing"), (error: Error) =>
      error instanceof RepositoryNotFoundError && error.message.startsWith(`no local folder org/nothing; as a Hub model id: org/nothing: repository not found at ${hub.endpoint}`));
  });

  test("a revision that would leave refs/ is refused before any request; refs/pr/1 is stored as Python stores it", async () => {
    await assert.rejects(resolveModelFolder("org/tiny", { revision: "../../x" }), { message: 'revision: "../../x" is not a branch, tag or commit name' });
    assert.deepEqual(hub.requests, []);
    const repo = hub.repos.get("model:org/tiny")!;
    repo.tag("refs/pr/1", first);
    const { commit } = await resolveModelFolder("org/tiny", { revision: "refs/pr/1" });
    assert.equal(commit, first);
    assert.equal(readFileSync(join(env.cache, "models--org--tiny/refs/refs/pr/1"), "utf8"), first);
    assert.match(summary()[0], /\/revision\/refs%2Fpr%2F1$/);
  });

  test("a tree listing in pages (Link rel=next) is read to the end", async () => {
    hub.switches.pageSize = 2;
    const snapshot = await openRepository("org/tiny", "model");
    assert.deepEqual(snapshot.files.map((file) => file.path).sort(), Object.keys(files).sort());
    assert.ok(hub.requestsTo("GET", "/tree/").length >= 4, summary().join("\n"));
  });
});

describe("tokens and gated repos", () => {
  test("a gated repo without a token: one line saying where to accept the licence and to set a token", async () => {
    await assert.rejects(resolveModelFolder("org/gated"), (error: Error) => {
      assert.ok(error instanceof GatedRepoError);
      assert.equal(error.message, `org/gated: gated repo: accept the licence at ${hub.endpoint}/org/gated and set HF_TOKEN or pass token`);
      return true;
    });
  });

  test("HF_TOKEN opens it; the token goes to the Hub and never to the CDN", async () => {
    process.env.HF_TOKEN = "hf_accepted\n";
    const { folder } = await resolveModelFolder("org/gated");
    assert.deepEqual(readFileSync(join(folder, "model.safetensors")), weights);
    const cdn = hub.requests.filter((request) => request.origin === "cdn");
    assert.equal(cdn.length, 1);
    assert.equal(cdn[0].headers.authorization, undefined);
    assert.ok(hub.requests.filter((request) => request.origin === "hub").every((request) => request.headers.authorization === "Bearer hf_accepted"));
  });

  test("a token without the hf_ prefix (option), and one from $HF_HOME/token", async () => {
    await resolveModelFolder("org/gated", { token: "plain-token" });
    process.env.HF_HUB_CACHE = join(env.home, "second");
    writeFileSync(join(env.home, "token"), "hf_accepted\n");
    await resolveModelFolder("org/gated");
    process.env.HF_HUB_CACHE = join(env.home, "third");
    await assert.rejects(resolveModelFolder("org/gated", { token: false }), GatedRepoError);
  });

  test("a token without access: 403, one line", async () => {
    await assert.rejects(resolveModelFolder("org/gated", { token: "hf_other" }), {
      message: `org/gated: gated repo and this token has no access: accept the licence at ${hub.endpoint}/org/gated with the token's account`,
    });
  });

  test("a private repo is 'not found' without its token and loads with it", async () => {
    await assert.rejects(resolveModelFolder("org/secret"), RepositoryNotFoundError);
    await resolveModelFolder("org/secret", { token: "hf_owner" });
  });
});

describe("broken transfers", () => {
  test("a download cut in the middle resumes with Range and the blob is byte-identical", async () => {
    hub.switches.dropAfterBytes = { bytes: 100_000, times: 1, path: "model.safetensors" };
    const { folder } = await resolveModelFolder("org/tiny");
    assert.deepEqual(readFileSync(join(folder, "model.safetensors")), weights);
    const cdn = hub.requests.filter((request) => request.origin === "cdn");
    assert.equal(cdn.length, 2, summary().join("\n"));
    assert.equal(cdn[0].headers.range, undefined);
    assert.match(String(cdn[1].headers.range), /^bytes=[1-9]\d*-$/);
    assert.deepEqual(readdirSync(join(env.cache, "models--org--tiny/blobs")).filter((name) => name.includes(".incomplete")), []);
  });

  test("a server that ignores Range: the retry starts again from byte 0 and the result is still exact", async () => {
    hub.switches.dropAfterBytes = { bytes: 100_000, times: 2, path: "model.safetensors" };
    hub.switches.refuseRange = true;
    const { folder } = await resolveModelFolder("org/tiny");
    assert.deepEqual(readFileSync(join(folder, "model.safetensors")), weights);
  });

  test("cut every time but resumable: each Range request brings more, so it completes (the retry count restarts on progress, as http_get)", async () => {
    hub.switches.dropAfterBytes = { bytes: 40_000, times: Infinity, path: "model.safetensors" };
    const { folder } = await resolveModelFolder("org/tiny");
    assert.deepEqual(readFileSync(join(folder, "model.safetensors")), weights);
    assert.equal(hub.requests.filter((request) => request.origin === "cdn").length, 8, summary().join("\n"));
  });

  test("cut every time and Range ignored: one line after 5 retries without progress, nothing in blobs/", async () => {
    hub.switches.dropAfterBytes = { bytes: 1000, times: Infinity, path: "model.safetensors" };
    hub.switches.refuseRange = true;
    await assert.rejects(resolveModelFolder("org/tiny"), (error: Error) =>
      error instanceof HubUnreachableError && /model\.safetensors gained nothing in 5 retries, the last error: /.test(error.message));
    assert.equal(hub.requests.filter((request) => request.origin === "cdn").length, 6, summary().join("\n"));
    assert.ok(!readdirSync(join(env.cache, "models--org--tiny/blobs")).some((name) => name.startsWith(sha256(weights))));
    assert.ok(!existsSync(join(env.cache, `models--org--tiny/snapshots/${head}/model.safetensors`)));
  });

  test("a corrupted LFS file (sha256 mismatch) is refused and nothing lands in blobs/", async () => {
    hub.switches.corrupt.add("model.safetensors");
    await assert.rejects(resolveModelFolder("org/tiny"), (error: Error) =>
      error instanceof CorruptDownloadError && error.message.includes(`not ${sha256(weights)}; refused, nothing was stored`));
    assert.ok(!readdirSync(join(env.cache, "models--org--tiny/blobs")).some((name) => name.startsWith(sha256(weights))));
    hub.switches.corrupt.clear();
    const { folder } = await resolveModelFolder("org/tiny");
    assert.deepEqual(readFileSync(join(folder, "model.safetensors")), weights);
  });

  test("a corrupted git file (its git blob sha1 from the tree listing does not match) is refused too", async () => {
    hub.switches.corrupt.add("tokenizer.json");
    await assert.rejects(resolveModelFolder("org/tiny"), (error: Error) =>
      error instanceof CorruptDownloadError && error.message.includes(`tokenizer.json: the downloaded content has git sha1 `) && error.message.includes(`not ${sha1Git(files["tokenizer.json"])}`));
    assert.ok(!existsSync(join(env.cache, "models--org--tiny/blobs", sha1Git(files["tokenizer.json"]))));
  });

  test("an unreachable endpoint: one line naming it; with the revision cached, the cache answers", async () => {
    await resolveModelFolder("org/tiny");
    const closed = await closedPort();
    process.env.HF_ENDPOINT = `http://127.0.0.1:${closed}`;
    const { commit } = await resolveModelFolder("org/tiny");
    assert.equal(commit, head);
    await assert.rejects(resolveModelFolder("org/other"), (error: Error) =>
      error instanceof HubUnreachableError && error.message.startsWith(`no local folder org/other; as a Hub model id: cannot reach http://127.0.0.1:${closed} (`));
  });
});

describe("a cache written by Python", () => {
  test("loads with zero requests, offline by branch and online by commit", async () => {
    const root = join(env.cache, "models--org--tiny");
    const snapshot = join(root, "snapshots", head);
    mkdirSync(join(root, "blobs"), { recursive: true });
    mkdirSync(join(root, "refs"), { recursive: true });
    writeFileSync(join(root, "refs", "main"), head);
    for (const [path, content] of Object.entries(files)) {
      if (/pytorch_model|onnx/.test(path)) continue;
      const bytes = typeof content === "string" ? Buffer.from(content) : content;
      const etag = path === "model.safetensors" ? sha256(bytes) : sha1Git(bytes);
      writeFileSync(join(root, "blobs", etag), bytes);
      mkdirSync(join(snapshot, path, ".."), { recursive: true });
      symlinkSync(`${path.includes("/") ? "../" : ""}../../blobs/${etag}`, join(snapshot, path));
    }
    process.env.HF_HUB_OFFLINE = "1";
    assert.equal((await resolveModelFolder("org/tiny")).folder, snapshot);
    delete process.env.HF_HUB_OFFLINE;
    assert.equal((await resolveModelFolder("org/tiny", { revision: head })).folder, snapshot);
    assert.deepEqual(hub.requests, []);
  });
});

describe("datasets and concurrency", () => {
  test("a dataset repo: /datasets/ URLs and datasets--org--name in the same cache", async () => {
    hub.addRepo("org/pairs", { type: "dataset" }).commit({ "README.md": "---\nconfigs: []\n---\n", "data/train-00000-of-00001.parquet": randomBytes(5000) });
    const snapshot = await openRepository("org/pairs", "dataset");
    const [local] = await downloadFiles(snapshot, ["data/train-00000-of-00001.parquet"]);
    assert.equal(local, join(env.cache, "datasets--org--pairs", "snapshots", snapshot.commit, "data/train-00000-of-00001.parquet"));
    assert.deepEqual(summary().filter((line) => line.startsWith("hub")), [
      "hub GET /api/datasets/org/pairs/revision/main",
      "hub GET /api/datasets/org/pairs/tree/" + snapshot.commit + "?recursive=true",
      "hub GET /datasets/org/pairs/resolve/" + snapshot.commit + "/data/train-00000-of-00001.parquet",
    ]);
  });

  test("two downloads of the same model at once both succeed and leave one intact blob per file", async () => {
    const [a, b] = await Promise.all([resolveModelFolder("org/tiny"), resolveModelFolder("org/tiny")]);
    assert.equal(a.folder, b.folder);
    assert.deepEqual(readFileSync(join(a.folder, "model.safetensors")), weights);
    assert.deepEqual(readdirSync(join(env.cache, "models--org--tiny/blobs")).filter((name) => !/^[0-9a-f]{40}$|^[0-9a-f]{64}$/.test(name)), []);
  });

  test("a file absent from a commit listed only by its snapshot folder: HEAD → EntryNotFound, recorded in .no_exist, no second request", async () => {
    const snapshot = await openRepository("org/tiny", "model", { revision: head });
    const fromFolder = { ...snapshot, listing: "snapshot" as const, files: [] };
    await assert.rejects(downloadFiles(fromFolder, ["vocab.txt"]), { message: `org/tiny@${head}: file vocab.txt not found in the repo` });
    assert.ok(existsSync(join(env.cache, "models--org--tiny/.no_exist", head, "vocab.txt")));
    hub.requests.length = 0;
    await assert.rejects(downloadFiles(fromFolder, ["vocab.txt"]), { message: `org/tiny@${head}: file vocab.txt not found in the repo` });
    assert.deepEqual(hub.requests, []);
    const [local] = await downloadFiles(fromFolder, ["model.safetensors"]);
    assert.deepEqual(readFileSync(local), weights);
    assert.deepEqual(summary().map((line) => line.split(" ").slice(0, 2).join(" ")), ["hub HEAD", "hub GET", "cdn GET"]);
  });
});

describe("a partial cache", () => {
  test("a commit's snapshot folder without its weights (and no trees/<commit>.json): one tree request, then only the missing files", async () => {
    const root = join(env.cache, "models--org--tiny");
    mkdirSync(join(root, "blobs"), { recursive: true });
    writeFileSync(join(root, "blobs", sha1Git(files["config.json"])), files["config.json"]);
    mkdirSync(join(root, "snapshots", head), { recursive: true });
    symlinkSync(`../../blobs/${sha1Git(files["config.json"])}`, join(root, "snapshots", head, "config.json"));
    const { folder } = await resolveModelFolder("org/tiny", { revision: head });
    assert.deepEqual(readFileSync(join(folder, "model.safetensors")), weights);
    assert.equal(hub.requestsTo("GET", "/api/").length, 1, summary().join("\n"));
    assert.ok(!hub.requests.some((request) => request.path.endsWith("/config.json") && !request.path.includes("1_Pooling")), "config.json came from the cache");
  });
});

describe("without symlinks", () => {
  test("HF_HUB_DISABLE_SYMLINKS=1: the snapshot holds copies, the blobs are still there", async () => {
    process.env.HF_HUB_DISABLE_SYMLINKS = "1";
    try {
      const { folder } = await resolveModelFolder("org/tiny");
      const pointer = join(folder, "model.safetensors");
      assert.ok(!lstatSync(pointer).isSymbolicLink());
      assert.deepEqual(readFileSync(pointer), weights);
      assert.ok(existsSync(join(env.cache, "models--org--tiny/blobs", sha256(weights))));
    } finally {
      delete process.env.HF_HUB_DISABLE_SYMLINKS;
    }
  });
});

describe("an unwritable cache", () => {
  test("a cache folder below a file: one FileSystemError line naming the cache and the file in the way", async () => {
    const blocker = join(env.home, "a-file");
    writeFileSync(blocker, "");
    await assert.rejects(resolveModelFolder("org/tiny", { cacheFolder: join(blocker, "hub") }), (error: Error) => {
      assert.equal(error.name, "FileSystemError");
      assert.match(error.message, new RegExp(`^${join(blocker, "hub", "models--org--tiny")}: ${blocker} is a file, not a folder \\(ENOTDIR\\) while storing modules.json of org/tiny in the Hub cache$`));
      return true;
    });
  });
});
