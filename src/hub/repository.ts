// A repo at one revision: the commit the revision points to and the files of that commit.
// Online: GET /api/{type}s/{id}/revision/{rev} → sha (recorded as refs/{rev}), then the tree at that commit
// (GET /api/{type}s/{id}/tree/{commit}?recursive=true, following Link rel="next" pages), saved as
// trees/<commit>.json so the same commit is never listed twice. A 40-hex revision whose tree or snapshot is
// cached makes no request at all (a snapshot folder without trees/<commit>.json, as Python's per-file downloads
// leave it, is listed from its files; withHubListing asks the Hub when that is not enough); a branch makes one
// request (the revision), as the head may have moved.
// Offline (HF_HUB_OFFLINE / localFilesOnly): refs/{rev} → snapshots/<commit>, files from trees/<commit>.json,
// else from the snapshot folder; no request. When the endpoint cannot be reached and the revision is cached,
// the cache answers (as huggingface_hub falls back to it), saying so on stderr.

import { statSync } from "node:fs";
import { join } from "node:path";
import { ArgumentError } from "../errors.ts";
import { isErrnoError } from "../io/file-system-errors.ts";
import { COMMIT_PATTERN, hubCacheFolder, RepoCache, type RepoType, type TreeEntry } from "./cache-layout.ts";
import { hubEnvironment, type HubEnvironment, type HubOptions } from "./endpoint.ts";
import { HubNetworkError, OfflineCacheMissError } from "./errors.ts";
import { hubJson, type RequestContext } from "./http.ts";
import { looksLikeRepoId } from "./repo-id.ts";

export interface RepoFile {
  path: string;
  size: number;
  /** git blob sha1 (unknown for a listing read from a snapshot folder) */
  blobId?: string;
  /** sha256 of an LFS file */
  lfsSha256?: string;
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
  /** "hub": the Hub's listing (this request or trees/<commit>.json); "snapshot": only what the snapshot folder holds */
  listing: "hub" | "snapshot";
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
    const { body } = await hubJson<{ sha?: unknown }>(env, apiUrl(env, repoId, repoType, "revision", encodeURIComponent(revision)), context);
    if (typeof body.sha !== "string" || !COMMIT_PATTERN.test(body.sha)) {
      throw new HubNetworkError(`${env.endpoint}: the revision answer for ${repoId}@${revision} has no 40-hex "sha"`);
    }
    commit = body.sha;
  } catch (error) {
    if (cached && error instanceof HubNetworkError) {
      process.stderr.write(`${repoId}: ${error.message}; using the cached snapshot ${cached.commit}\n`);
      return cached;
    }
    throw error;
  }
  bestEffort(() => cache.recordRevision(revision, commit));
  return listedByHub(env, cache, revision, commit);
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
