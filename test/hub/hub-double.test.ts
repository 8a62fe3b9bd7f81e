// The Hub double speaks the Hub's protocol as huggingface_hub expects it (../shared/docs/hub-protocol.md):
// revision info, tree listings (recursive or not, under a path), resolve with ETag / X-Repo-Commit / Range,
// LFS files by 302 to another origin with X-Linked-*, and the X-Error-Code answers.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";
import { HubDouble } from "../support/hub-double.ts";

let hub: HubDouble;
let commit: string;
const big = new Uint8Array(3000).map((_, index) => index % 251);
before(async () => {
  hub = await HubDouble.start({ lfsThreshold: 2048 });
  commit = hub.addRepo("org/pairs", { type: "dataset" }).commit({ "README.md": "hello", "data/train.parquet": big, "data/sub/x.txt": "x" });
});
after(() => hub.close());

const get = (path: string, init: RequestInit = {}) => fetch(`${hub.endpoint}${path}`, { redirect: "manual", ...init });

test("revision info and tree listings: recursive, one level with directories, under a path", async () => {
  const info = (await (await get("/api/datasets/org/pairs/revision/main")).json()) as { sha: string; siblings: { rfilename: string }[] };
  assert.equal(info.sha, commit);
  assert.deepEqual(info.siblings.map((sibling) => sibling.rfilename), ["README.md", "data/sub/x.txt", "data/train.parquet"]);
  const paths = async (path: string) => ((await (await get(path)).json()) as { type: string; path: string }[]).map((entry) => `${entry.type} ${entry.path}`);
  assert.deepEqual(await paths(`/api/datasets/org/pairs/tree/${commit}?recursive=true`), ["file README.md", "directory data", "directory data/sub", "file data/sub/x.txt", "file data/train.parquet"]);
  assert.deepEqual(await paths("/api/datasets/org/pairs/tree/main"), ["file README.md", "directory data"]);
  assert.deepEqual(await paths("/api/datasets/org/pairs/tree/main/data"), ["directory data/sub", "file data/train.parquet"]);
  const lfs = ((await (await get("/api/datasets/org/pairs/tree/main/data")).json()) as { path: string; size: number; lfs?: { oid: string; size: number } }[])[1];
  assert.deepEqual(lfs.lfs && { oid: lfs.lfs.oid, size: lfs.lfs.size, size2: lfs.size }, { oid: createHash("sha256").update(big).digest("hex"), size: 3000, size2: 3000 });
});

test("resolve: git files with ETag = git blob sha1 and Range; LFS files by 302 to the other origin with X-Linked-Etag/Size", async () => {
  const small = await get("/datasets/org/pairs/resolve/main/README.md");
  assert.equal(small.headers.get("etag"), `"${createHash("sha1").update("blob 5\0hello").digest("hex")}"`);
  assert.equal(small.headers.get("x-repo-commit"), commit);
  assert.equal(await small.text(), "hello");
  const part = await get("/datasets/org/pairs/resolve/main/README.md", { headers: { range: "bytes=2-" } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get("content-range"), "bytes 2-4/5");
  assert.equal(await part.text(), "llo");
  const redirect = await get(`/datasets/org/pairs/resolve/${commit}/data/train.parquet`, { method: "HEAD" });
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get("x-linked-size"), "3000");
  assert.equal(redirect.headers.get("x-linked-etag"), `"${createHash("sha256").update(big).digest("hex")}"`);
  const location = new URL(redirect.headers.get("location")!);
  assert.equal(location.origin, hub.cdnOrigin);
  assert.notEqual(location.origin, hub.endpoint);
  assert.deepEqual(new Uint8Array(await (await fetch(location)).arrayBuffer()), big);
});

test("errors: X-Error-Code RepoNotFound (401 anonymous), RevisionNotFound, EntryNotFound with X-Repo-Commit", async () => {
  const codes = async (path: string) => {
    const response = await get(path);
    return `${response.status} ${response.headers.get("x-error-code")}${response.headers.get("x-repo-commit") ? " with commit" : ""}`;
  };
  assert.equal(await codes("/datasets/org/none/resolve/main/README.md"), "401 RepoNotFound");
  assert.equal(await codes("/org/pairs/resolve/main/README.md"), "401 RepoNotFound", "a dataset is not a model");
  assert.equal(await codes("/datasets/org/pairs/resolve/v2/README.md"), "404 RevisionNotFound");
  assert.equal(await codes("/datasets/org/pairs/resolve/main/nope.txt"), "404 EntryNotFound with commit");
});
