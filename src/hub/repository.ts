// A repo at one revision: the commit the revision points to and the files of that commit.
// Online: GET /api/{type}s/{id}/revision/{rev} → sha (recorded as refs/{rev}), then the tree at that commit
// (GET /api/{type}s/{id}/tree/{commit}?recursive=true, following Link rel="next" pages), saved as
// trees/<commit>.json so the same commit is never listed twice. A 40-hex revision whose tree or snapshot is
// cached makes no request at all (a snapshot folder without trees/<commit>.json, as Python's per-file downloads
// leave it, is listed from its files; withHubListing asks the Hub when that is not enough); a branch makes one
// request (the revision), as the head may have moved.
// Offline (HF_HUB_OFFLINE / localFilesOnly): refs/{rev} → snapshots/<commit>, files from trees/<commit>.json,
// else from the snapshot folder; no request. When the endpoint cannot be reached (or answers 5xx/429) and the
// revision is cached, the cache answers after one attempt (as huggingface_hub's HEAD without retries falls back
// to it), saying so on stderr; uncached, the request is retried as http_backoff (http.ts).
// A mirror with only /resolve/ (the API answers 404 without X-Error-Code, or not JSON): a model's commit comes
// from X-Repo-Commit of a HEAD of modules.json (else config.json) at the revision, as sentence-transformers'
// per-file downloads get it, and its listing is "probe" (files found by HEAD, model-download.ts). A dataset's
// files cannot be found that way: one line says so (a cached revision still loads).

import { statSync } from "node:fs";
import { join } from "node:path";
import { ArgumentError } from "../errors.ts";
import { isErrnoError } from "../io/file-system-errors.ts";
import { COMMIT_PATTERN, hubCacheFolder, RepoCache, type RepoType, type TreeEntry } from "./cache-layout.ts";
import { hubEnvironment, type HubEnvironment, type HubOptions } from "./endpoint.ts";
import { EntryNotFoundError, HubApiUnavailableError, HubNetworkError, OfflineCacheMissError } from "./errors.ts";
import { metadataFromHead, resolveUrl } from "./file-download.ts";
import { hubJson, type RequestContext } from "./http.ts";
import { looksLikeRepoId } from "./repo-id.ts";

export interface RepoFile {
  path: string;
  size: number;
  /** git blob sha1 (unknown for a listing read from a snapshot folder) */
  blobId?: string;
  /** sha256 of an LFS file */
  lfsSha256?: string;
  /** the etag a HEAD gave (a probed listing) */
  etag?: string;
}

export interface RepoSnapshot {
  repoId: string;
  repoType: RepoType;
  /** what was asked for: a branch, tag or commit */
  revision: string;
  commit: string;
  /** snapshots/<commit> in the cache */
  folder: string;
  files: RepoFile[];
  /** the hub cache folder (models--org--name/ below it) */
  cacheRoot: string;
  /** "hub": the Hub's listing (this request or trees/<commit>.json); "snapshot": only what the snapshot folder holds;
   *  "probe": a mirror without the tree API — files are known only once a HEAD found them */
  listing: "hub" | "snapshot" | "probe";
}

interface TreeItem {
  type: "file" | "directory";
  path: string;
  size: number;
  oid: string;
  lfs?: { oid: string; size: number };
}

function apiUrl(env: HubEnvironment, repoId: string, repoType: RepoType, ...parts: string[]): string {
  return [`${env.endpoint}/api/${repoType}s/${repoId}`, ...parts].join("/");
}

function nextPage(link: string | null): string | undefined {
  for (const part of link?.split(",") ?? []) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match) return match[1];
  }
  return undefined;
}

async function listTree(env: HubEnvironment, context: RequestContext, commit: string): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  let url: string | undefined = `${apiUrl(env, context.repoId, context.repoType, "tree", commit)}?recursive=true`;
  while (url) {
    const { body, response } = await hubJson<TreeItem[]>(env, url, context);
    if (!Array.isArray(body)) throw new HubNetworkError(`${env.endpoint}: the tree listing of ${context.repoId} is not a JSON array`);
    for (const item of body) {
      if (item.type !== "file") continue;
      entries.push({ path: item.path, size: item.lfs?.size ?? item.size, blobId: item.oid, ...(item.lfs ? { lfsSha256: item.lfs.oid } : {}) });
    }
    const next = nextPage(response.headers.get("link"));
    url = next ? new URL(next, url).href : undefined;
  }
  return entries;
}

function fromCache(cache: RepoCache, revision: string, commit: string): RepoSnapshot | undefined {
  const folder = cache.snapshotFolder(commit);
  const base = { repoId: cache.repoId, repoType: cache.repoType, revision, commit, folder, cacheRoot: cache.cacheRoot };
  const tree = cache.readTree(commit);
  if (tree) return { ...base, files: tree, listing: "hub" };
  const paths = cache.snapshotFiles(commit);
  if (paths.length === 0) return undefined;
  return { ...base, files: paths.map((path) => ({ path, size: statSync(join(folder, path)).size })), listing: "snapshot" };
}

/** refs/ and trees/ are a convenience: a read-only shared cache still serves (as huggingface_hub ignores OSError there). */
function bestEffort(write: () => void): void {
  try {
    write();
  } catch (error) {
    if (!isErrnoError(error)) throw error;
  }
}

function assertRepoId(repoId: string): void {
  if (!looksLikeRepoId(repoId)) throw new ArgumentError("repoId", `"${repoId}" is not a Hub repo id ("org/name" or "name": letters, digits, "-", "_", ".")`);
}

/** revision → commit and the file list at that commit (see the module comment for when requests are made). */
export async function openRepository(repoId: string, repoType: RepoType, options: HubOptions = {}): Promise<RepoSnapshot> {
  assertRepoId(repoId);
  const env = hubEnvironment(options);
  const revision = options.revision ?? "main";
  if (revision === "" || revision.startsWith("/") || revision.includes("\\") || revision.split("/").some((part) => part === ".." || part === ".")) {
    throw new ArgumentError("revision", `"${revision}" is not a branch, tag or commit name`);
  }
  const cache = new RepoCache(hubCacheFolder(options.cacheFolder), repoId, repoType);
  const cachedCommit = cache.cachedCommit(revision);
  const cached = cachedCommit ? fromCache(cache, revision, cachedCommit) : undefined;
  if (env.offline) {
    if (cached) return cached;
    const what = cachedCommit ? `snapshot ${cachedCommit}` : COMMIT_PATTERN.test(revision) ? `commit ${revision}` : `revision "${revision}" (refs/${revision})`;
    throw new OfflineCacheMissError(repoId, revision, what, cache.folder);
  }
  if (cached && COMMIT_PATTERN.test(revision)) return cached;
  const context: RequestContext = { repoId, repoType, revision };
  let commit: string;
  try {
    const url = apiUrl(env, repoId, repoType, "revision", encodeURIComponent(revision));
    const { body } = await hubJson<{ sha?: unknown }>(env, url, context, cached ? "none" : "all");
    if (typeof body.sha !== "string" || !COMMIT_PATTERN.test(body.sha)) {
      throw new HubNetworkError(`${env.endpoint}: the revision answer for ${repoId}@${revision} has no 40-hex "sha"`);
    }
    commit = body.sha;
  } catch (error) {
    if (error instanceof HubApiUnavailableError) return withoutApi(env, cache, revision, cached, error);
    if (cached && error instanceof HubNetworkError) return cacheFallback(cached, error);
    throw error;
  }
  bestEffort(() => cache.recordRevision(revision, commit));
  return listedByHub(env, cache, revision, commit);
}

/** huggingface_hub's "couldn't connect, trying the cache": one note, the cached snapshot. */
function cacheFallback(cached: RepoSnapshot, error: Error): RepoSnapshot {
  process.stderr.write(`${cached.repoId}: ${error.message.split("; ")[0]}; using the cached snapshot ${cached.commit}\n`);
  return cached;
}

/** A mirror without the API: the commit from a HEAD's X-Repo-Commit, files to be probed (models only). */
async function withoutApi(env: HubEnvironment, cache: RepoCache, revision: string, cached: RepoSnapshot | undefined, apiError: HubApiUnavailableError): Promise<RepoSnapshot> {
  const { repoId, repoType } = cache;
  if (repoType === "dataset") {
    if (cached) return cacheFallback(cached, apiError);
    throw new HubApiUnavailableError(
      `${repoId}: ${env.endpoint} has no tree API (${apiError.message.slice(env.endpoint.length + 2)}), so a dataset's files cannot be listed; use an endpoint with /api/datasets/, or download the files and load them with loadDataset("parquet", { dataFiles })`,
    );
  }
  const base = { repoId, repoType, revision, folder: "", cacheRoot: cache.cacheRoot, files: [] as RepoFile[], listing: "probe" as const };
  const probes = ["modules.json", "config.json"];
  for (const path of probes) {
    const probing = { ...base, commit: revision };
    try {
      const head = await metadataFromHead(env, resolveUrl(env, probing, path), { repoId, repoType, revision, path }, cached ? "none" : "all");
      bestEffort(() => cache.recordRevision(revision, head.commit));
      const tree = cache.readTree(head.commit);
      const folder = cache.snapshotFolder(head.commit);
      if (tree) return { ...base, commit: head.commit, folder, files: tree, listing: "hub" };
      return { ...base, commit: head.commit, folder, files: [{ path, size: head.size, etag: head.etag }] };
    } catch (error) {
      if (error instanceof EntryNotFoundError) continue;
      if (cached && error instanceof HubNetworkError) return cacheFallback(cached, error);
      throw error;
    }
  }
  throw new EntryNotFoundError(repoId, revision, `${probes.join(" or ")} (${env.endpoint} has no Hub API, so the commit is taken from these files)`);
}

async function listedByHub(env: HubEnvironment, cache: RepoCache, revision: string, commit: string): Promise<RepoSnapshot> {
  let files = cache.readTree(commit);
  if (!files) {
    files = await listTree(env, { repoId: cache.repoId, repoType: cache.repoType, revision: commit }, commit);
    const listed = files;
    bestEffort(() => cache.writeTree(commit, listed));
  }
  return { repoId: cache.repoId, repoType: cache.repoType, revision, commit, folder: cache.snapshotFolder(commit), files, cacheRoot: cache.cacheRoot, listing: "hub" };
}

/** The same snapshot with the Hub's full file list (one tree request), for one listed only from its snapshot folder. */
export async function withHubListing(snapshot: RepoSnapshot, options: HubOptions = {}): Promise<RepoSnapshot> {
  if (snapshot.listing === "hub") return snapshot;
  const cache = new RepoCache(snapshot.cacheRoot, snapshot.repoId, snapshot.repoType);
  return listedByHub(hubEnvironment(options), cache, snapshot.revision, snapshot.commit);
}
