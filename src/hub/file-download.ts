// Files of a RepoSnapshot into the cache, as huggingface_hub's hf_hub_download at a commit does:
//   snapshots/<commit>/<path> present → nothing to do (no request);
//   .no_exist/<commit>/<path> present → EntryNotFoundError (no request);
//   blobs/<etag> present → only the snapshot symlink;
//   else GET {endpoint}/[datasets/]{id}/resolve/{commit}/{path} (redirects: see http.ts) into a process-unique
//   blobs/<etag>.<8 hex>.incomplete; a connection dropped mid-body, a body silent for HF_HUB_DOWNLOAD_TIMEOUT, or one
//   that ends cleanly short of the size (chunked, or closed early) is retried with Range: bytes=<bytes on disk>-
//   (a 200 answer restarts from 0), up to MAX_RETRIES times in a row without progress — as http_get, whose count
//   starts again whenever bytes arrive (here: bytes beyond the furthest point reached, so a server that ignores
//   Range and keeps cutting cannot loop forever); waits 0.1 s doubling to 2 s (Python: 1 s); the result must have the announced size and,
//   for an LFS file, the sha256 its etag names (a git file: its git blob sha1) — otherwise it is deleted and
//   nothing lands in blobs/; then renamed to blobs/<etag> and linked from the snapshot.
// Transient statuses (429, 5xx) on the GET and the HEAD are retried as http_backoff (http.ts).
// The etag and size come from the tree listing; a listing read from a snapshot folder has none, then a HEAD
// (following relative redirects only, like Python) gives X-Linked-Etag/ETag and X-Linked-Size/Content-Length;
// probeFiles HEADs candidate paths for a mirror without the tree API (found → metadata, 404 → .no_exist/).
// Offline, a missing file is an OfflineCacheMissError naming the repo, revision, file and its cache path.

import { createHash, randomBytes, type Hash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { dirname, join } from "node:path";
import { withFileSystemErrors, withFileSystemErrorsSync } from "../io/file-system-errors.ts";
import { RepoCache } from "./cache-layout.ts";
import { startByteProgress } from "./download-progress.ts";
import { hubEnvironment, type HubEnvironment, type HubOptions } from "./endpoint.ts";
import { CorruptDownloadError, EntryNotFoundError, HubNetworkError, HubUnreachableError, OfflineCacheMissError, UnsupportedRepoError } from "./errors.ts";
import { hubRequest, type HubRequest, type RequestContext } from "./http.ts";
import type { RepoFile, RepoSnapshot } from "./repository.ts";

export const MAX_RETRIES = 5;

interface FileMetadata {
  etag: string;
  size: number;
  /** the sha256 the content must have (an LFS file) */
  sha256?: string;
  /** the git blob sha1 it must have (a git file listed by the tree API, whose oid is exactly that) */
  gitSha1?: string;
}

/** A path from a repo listing or a modules.json: relative, "/"-separated, no "." / ".." segments. */
export function assertSafeRepoPath(repoId: string, path: string): void {
  const segments = path.split("/");
  if (path === "" || path.startsWith("/") || /^[A-Za-z]:/.test(path) || path.includes("\\") || segments.some((segment) => segment === ".." || segment === "." || segment === "")) {
    throw new UnsupportedRepoError(`${repoId}: refusing the file path "${path}" (absolute, or leaves the repo folder)`);
  }
}

/** {endpoint}/[datasets/]{id}/resolve/{commit}/{path}: at the snapshot's commit (its revision before it is known). */
export function resolveUrl(env: HubEnvironment, snapshot: Pick<RepoSnapshot, "repoType" | "repoId" | "commit">, path: string): string {
  const prefix = snapshot.repoType === "dataset" ? "datasets/" : "";
  return `${env.endpoint}/${prefix}${snapshot.repoId}/resolve/${encodeURIComponent(snapshot.commit)}/${path.split("/").map(encodeURIComponent).join("/")}`;
}

function metadataFromListing(file: RepoFile): FileMetadata | undefined {
  if (file.etag) return /^[0-9a-f]{64}$/.test(file.etag) ? { etag: file.etag, size: file.size, sha256: file.etag } : { etag: file.etag, size: file.size };
  if (!file.blobId) return undefined;
  if (file.lfsSha256) return { etag: file.lfsSha256, size: file.size, sha256: file.lfsSha256 };
  return { etag: file.blobId, size: file.size, gitSha1: file.blobId };
}

function normalizeEtag(etag: string | null): string | undefined {
  return etag?.replace(/^W\//, "").replace(/"/g, "") || undefined;
}

/** HEAD of a resolve URL (retried as http_backoff; renamed repos followed, the CDN hop not): etag, size, commit. */
export async function metadataFromHead(env: HubEnvironment, url: string, context: RequestContext, retry: HubRequest["retry"] = "all"): Promise<FileMetadata & { commit: string }> {
  const response = await hubRequest(env, url, context, {
    method: "HEAD", headers: { "accept-encoding": "identity" }, timeoutMs: env.metadataTimeoutMs, stopAtCdnRedirect: true, retry,
  });
  const etag = normalizeEtag(response.headers.get("x-linked-etag") ?? response.headers.get("etag"));
  const size = Number(response.headers.get("x-linked-size") ?? response.headers.get("content-length") ?? NaN);
  const commit = response.headers.get("x-repo-commit");
  if (!etag || !commit || !Number.isFinite(size)) {
    throw new HubNetworkError(`${env.endpoint}: ${context.path} has no ETag, X-Repo-Commit or size in its HEAD answer (is HF_ENDPOINT a Hub?)`);
  }
  // a 64-hex etag is an LFS file's sha256; any other is only a name (a mirror may compute it its own way)
  return /^[0-9a-f]{64}$/.test(etag) ? { etag, size, sha256: etag, commit } : { etag, size, commit };
}

/** The body ended before the announced size without a transport error. */
class ShortBodyError extends Error {}

/** A body stream cut (undici: TypeError "terminated"), a short body, a silence timeout, or no connection: worth a Range retry. */
function isRetriable(error: unknown): boolean {
  return error instanceof HubUnreachableError || error instanceof ShortBodyError || error instanceof TypeError || (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError"));
}

/** The reason of a failed attempt in a few words (an abort's reason, a cut's cause). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}

/** Streams `url` into `target` (resuming with Range after a drop) and checks size and hash; deletes it on failure. */
async function downloadBlob(env: HubEnvironment, url: string, target: string, metadata: FileMetadata, context: RequestContext, progressLabel: string): Promise<void> {
  const file = await open(target, "w");
  // sha256 of the content for an LFS file; git's blob sha1 ("blob <size>\0" + content) for a git file
  const newHash = (): Hash | undefined =>
    metadata.sha256 ? createHash("sha256") : metadata.gitSha1 ? createHash("sha1").update(`blob ${metadata.size}\0`) : undefined;
  let written = 0;
  let hash = newHash();
  const restart = async () => {
    await file.truncate(0);
    written = 0;
    hash = newHash();
  };
  const progress = startByteProgress(progressLabel, metadata.size, env.showProgress);
  let furthest = 0;
  try {
    for (let retries = 0; written !== metadata.size; ) {
      const controller = new AbortController();
      let silence: NodeJS.Timeout | undefined;
      const stalled = () => controller.abort(new DOMException(`no bytes for ${env.downloadTimeoutMs / 1000} s (HF_HUB_DOWNLOAD_TIMEOUT)`, "TimeoutError"));
      try {
        const headers: Record<string, string> = written > 0 ? { range: `bytes=${written}-` } : {};
        const response = await hubRequest(env, url, context, { headers, signal: controller.signal, timeoutMs: env.downloadTimeoutMs, retry: "status" });
        if (written > 0 && response.status !== 206) await restart();
        if (!response.body) throw new HubNetworkError(`${env.endpoint}: empty answer for ${context.path}`);
        silence = setTimeout(stalled, env.downloadTimeoutMs);
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          clearTimeout(silence);
          silence = setTimeout(stalled, env.downloadTimeoutMs);
          await file.write(chunk, 0, chunk.length, written);
          hash?.update(chunk);
          written += chunk.length;
          progress.update(written);
        }
        // a body that ended cleanly but short (a chunked answer, a proxy that closed early) is resumed like a cut one
        if (written < metadata.size) throw new ShortBodyError(`the answer ended at byte ${written} of ${metadata.size}`);
        break;
      } catch (error) {
        if (!isRetriable(error)) throw error;
        if (written > furthest) {
          furthest = written;
          retries = 0;
        }
        if (retries >= MAX_RETRIES) {
          throw new HubUnreachableError(`${env.endpoint}: downloading ${context.repoId}/${context.path} gained nothing in ${MAX_RETRIES} retries, the last error: ${describe(error)}`);
        }
        await new Promise((done) => setTimeout(done, Math.min(2000, 100 * 2 ** retries)));
        retries++;
      } finally {
        clearTimeout(silence);
      }
    }
    await file.sync();
  } catch (error) {
    await file.close();
    progress.stop();
    rmSync(target, { force: true });
    throw error;
  }
  await file.close();
  progress.stop();
  const where = `${context.repoId}@${context.revision}: ${context.path}`;
  if (written !== metadata.size) {
    rmSync(target, { force: true });
    throw new CorruptDownloadError(`${where}: downloaded ${written} bytes, the Hub announced ${metadata.size}; nothing was stored`);
  }
  const expected = metadata.sha256 ?? metadata.gitSha1;
  const digest = hash?.digest("hex");
  if (digest !== expected) {
    rmSync(target, { force: true });
    throw new CorruptDownloadError(`${where}: the downloaded content has ${metadata.sha256 ? "sha256" : "git sha1"} ${digest}, not ${expected}; refused, nothing was stored`);
  }
}

async function ensureFile(env: HubEnvironment, cache: RepoCache, snapshot: RepoSnapshot, path: string): Promise<string> {
  const { commit, repoId } = snapshot;
  const pointer = join(snapshot.folder, path);
  if (cache.hasSnapshotFile(commit, path)) return pointer;
  const context: RequestContext = { repoId, repoType: snapshot.repoType, revision: snapshot.revision, path };
  if (existsSync(cache.noExistPath(commit, path))) throw new EntryNotFoundError(repoId, snapshot.revision, path);
  if (env.offline) throw new OfflineCacheMissError(repoId, snapshot.revision, `file ${path}`, pointer);
  const listed = snapshot.files.find((file) => file.path === path);
  if (!listed && snapshot.listing === "hub") {
    throw new EntryNotFoundError(repoId, snapshot.revision, path);
  }
  const url = resolveUrl(env, snapshot, path);
  let metadata: FileMetadata;
  try {
    metadata = (listed && metadataFromListing(listed)) || (await metadataFromHead(env, url, context));
  } catch (error) {
    if (error instanceof EntryNotFoundError) recordAbsence(cache, commit, path);
    throw error;
  }
  const blob = cache.blobPath(metadata.etag);
  if (!existsSync(blob)) {
    mkdirSync(dirname(blob), { recursive: true });
    const incomplete = `${blob}.${randomBytes(4).toString("hex")}.incomplete`;
    await downloadBlob(env, url, incomplete, metadata, context, path);
    renameSync(incomplete, blob);
  }
  cache.tagCacheFolder();
  return cache.linkSnapshotFile(commit, path, metadata.etag);
}

/** For a "probe" listing: which of `paths` the commit holds (a HEAD each, at once; cached ones need none), with
 *  their metadata; an EntryNotFound answer is recorded in .no_exist/ as Python records it. */
export async function probeFiles(snapshot: RepoSnapshot, paths: readonly string[], options: HubOptions = {}): Promise<RepoFile[]> {
  const env = hubEnvironment(options);
  const cache = new RepoCache(snapshot.cacheRoot, snapshot.repoId, snapshot.repoType);
  const found = await Promise.all(paths.map(async (path): Promise<RepoFile | undefined> => {
    assertSafeRepoPath(snapshot.repoId, path);
    const known = snapshot.files.find((file) => file.path === path);
    if (known) return known;
    if (cache.hasSnapshotFile(snapshot.commit, path)) return { path, size: statSync(join(snapshot.folder, path)).size };
    if (existsSync(cache.noExistPath(snapshot.commit, path))) return undefined;
    const context: RequestContext = { repoId: snapshot.repoId, repoType: snapshot.repoType, revision: snapshot.revision, path };
    try {
      const head = await metadataFromHead(env, resolveUrl(env, snapshot, path), context);
      return { path, size: head.size, etag: head.etag };
    } catch (error) {
      if (!(error instanceof EntryNotFoundError)) throw error;
      withFileSystemErrorsSync(cache.folder, `recording the absence of ${path}`, () => recordAbsence(cache, snapshot.commit, path));
      return undefined;
    }
  }));
  return found.filter((file): file is RepoFile => file !== undefined);
}

function recordAbsence(cache: RepoCache, commit: string, path: string): void {
  mkdirSync(dirname(cache.noExistPath(commit, path)), { recursive: true });
  writeFileSync(cache.noExistPath(commit, path), "");
}

/** Ensures these files are in snapshot.folder (downloading what is missing); returns their local paths in order. */
export async function downloadFiles(snapshot: RepoSnapshot, paths: readonly string[], options: HubOptions = {}): Promise<string[]> {
  const env = hubEnvironment(options);
  const cache = new RepoCache(snapshot.cacheRoot, snapshot.repoId, snapshot.repoType);
  const local: string[] = [];
  for (const path of paths) {
    assertSafeRepoPath(snapshot.repoId, path);
    local.push(await withFileSystemErrors(cache.folder, `storing ${path} of ${snapshot.repoId} in the Hub cache`, () => ensureFile(env, cache, snapshot, path)));
  }
  return local;
}
