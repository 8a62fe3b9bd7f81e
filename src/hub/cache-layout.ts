// Python huggingface_hub's cache layout, read and written exactly as file_download.py does, so a cache
// filled by Python is used without a request and Python uses ours:
//   <cache>/CACHEDIR.TAG
//   <cache>/models--org--name/ (datasets--org--name/)
//     blobs/<etag>                    the content; etag = git blob sha1, or sha256 for LFS files
//     refs/<revision>                 the commit the branch/tag pointed to, no newline (written atomically)
//     snapshots/<commit>/<path>       relative symlink ../../blobs/<etag> (a copy where symlinks fail)
//     .no_exist/<commit>/<path>       empty: the file is absent from that commit
//     trees/<commit>.json             the commit's file listing (_tree_cache.py, format_version 1)
// <cache> = cacheFolder, else HF_HUB_CACHE, else legacy HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub.
// Concurrency: a blob is downloaded to a process-unique <etag>.<8 hex>.incomplete and renamed into place (as
// huggingface_hub 1.x does); two processes may both download it, the rename is atomic and the content is the
// same, so a reader never sees a partial blob. Ref and tree files are written the same way. No .locks/ files.

import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { envFlag, huggingFaceHome } from "./endpoint.ts";
import { writeFileAtomically } from "../io/atomic-file.ts";

export type RepoType = "model" | "dataset";

export interface TreeEntry {
  path: string;
  size: number;
  /** git blob sha1 */
  blobId: string;
  /** sha256 of an LFS file's content (its etag and blob name) */
  lfsSha256?: string;
}

export const CACHEDIR_TAG_CONTENT =
  "Signature: 8a477f597d28d172789f06886806bc55\n" +
  "# This file is a cache directory tag created by huggingface_hub.\n" +
  "# For information about cache directory tags, see:\n" +
  "#\thttps://bford.info/cachedir/\n";

export const COMMIT_PATTERN = /^[0-9a-f]{40}$/;

/** The hub cache folder: the argument, else HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE, $HF_HOME/hub. */
export function hubCacheFolder(cacheFolder?: string): string {
  return resolve(cacheFolder || process.env.HF_HUB_CACHE || process.env.HUGGINGFACE_HUB_CACHE || join(huggingFaceHome(), "hub"));
}

/** repo_folder_name: "models--org--name". */
export function repoFolderName(repoId: string, repoType: RepoType): string {
  return [`${repoType}s`, ...repoId.split("/")].join("--");
}

/** Python's sorted() order of str: by code point (JavaScript's default sort compares UTF-16 units). */
function comparePythonStrings(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const difference = left[index].codePointAt(0)! - right[index].codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

/** The cache folder of one repo. */
export class RepoCache {
  readonly folder: string;

  constructor(readonly cacheRoot: string, readonly repoId: string, readonly repoType: RepoType) {
    this.folder = join(cacheRoot, repoFolderName(repoId, repoType));
  }

  blobPath(etag: string): string {
    return join(this.folder, "blobs", etag);
  }

  snapshotFolder(commit: string): string {
    return join(this.folder, "snapshots", commit);
  }

  refPath(revision: string): string {
    return join(this.folder, "refs", revision);
  }

  /** The commit a revision points to in the cache: itself when it is a commit, else refs/<revision>. */
  cachedCommit(revision: string): string | undefined {
    if (COMMIT_PATTERN.test(revision)) return revision;
    try {
      const commit = readFileSync(this.refPath(revision), "utf8").trim();
      return COMMIT_PATTERN.test(commit) ? commit : undefined;
    } catch {
      return undefined;
    }
  }

  /** refs/<revision> ← commit (not for a commit itself; only when it changed), and CACHEDIR.TAG. */
  recordRevision(revision: string, commit: string): void {
    this.tagCacheFolder();
    if (revision === commit) return;
    const path = this.refPath(revision);
    if (existsSync(path) && readFileSync(path, "utf8") === commit) return;
    writeFileAtomically(path, commit);
  }

  tagCacheFolder(): void {
    const tag = join(this.cacheRoot, "CACHEDIR.TAG");
    if (existsSync(tag)) return;
    try {
      mkdirSync(this.cacheRoot, { recursive: true });
      writeFileSync(tag, CACHEDIR_TAG_CONTENT);
    } catch {
      // as Python: a cache without the tag still works
    }
  }

  readTree(commit: string): TreeEntry[] | undefined {
    try {
      const data = JSON.parse(readFileSync(join(this.folder, "trees", `${commit}.json`), "utf8")) as {
        format_version?: number;
        files?: Record<string, { size: number; blob_id: string; lfs_sha256?: string }>;
      };
      if (data.format_version !== 1 || !data.files) return undefined;
      return Object.entries(data.files).map(([path, info]) => ({ path, size: info.size, blobId: info.blob_id, ...(info.lfs_sha256 ? { lfsSha256: info.lfs_sha256 } : {}) }));
    } catch {
      return undefined;
    }
  }

  /** trees/<commit>.json byte for byte as _tree_cache.py's json.dump(indent=1): paths sorted, non-ASCII escaped, no final newline. */
  writeTree(commit: string, entries: readonly TreeEntry[]): void {
    const files: Record<string, Record<string, unknown>> = {};
    for (const entry of [...entries].sort((a, b) => comparePythonStrings(a.path, b.path))) {
      files[entry.path] = { size: entry.size, blob_id: entry.blobId, ...(entry.lfsSha256 ? { lfs_sha256: entry.lfsSha256, lfs_size: entry.size } : {}) };
    }
    const text = JSON.stringify({ format_version: 1, files }, null, 1).replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
    writeFileAtomically(join(this.folder, "trees", `${commit}.json`), text);
  }

  /** The files under snapshots/<commit>/ (what an offline listing can offer without trees/<commit>.json). */
  snapshotFiles(commit: string): string[] {
    const root = this.snapshotFolder(commit);
    const walk = (folder: string): string[] => {
      let names: string[];
      try {
        names = readdirSync(folder).sort();
      } catch {
        return [];
      }
      return names.flatMap((name) => {
        const path = join(folder, name);
        const stat = lstatSync(path);
        if (stat.isDirectory()) return walk(path);
        return [relative(root, path).split("\\").join("/")];
      });
    };
    return walk(root);
  }

  /** True when snapshots/<commit>/<path> exists and resolves (a dangling symlink does not count). */
  hasSnapshotFile(commit: string, path: string): boolean {
    return existsSync(join(this.snapshotFolder(commit), path));
  }

  noExistPath(commit: string, path: string): string {
    return join(this.folder, ".no_exist", commit, path);
  }

  /** snapshots/<commit>/<path> → ../../blobs/<etag> (relative); a copy where the file system has no symlinks or HF_HUB_DISABLE_SYMLINKS is set. */
  linkSnapshotFile(commit: string, path: string, etag: string): string {
    const pointer = join(this.snapshotFolder(commit), path);
    const blob = this.blobPath(etag);
    mkdirSync(dirname(pointer), { recursive: true });
    const target = relative(dirname(pointer), blob);
    try {
      if (lstatSync(pointer).isSymbolicLink() && readlinkSync(pointer) === target) return pointer;
      rmSync(pointer, { force: true });
    } catch {
      // no pointer yet
    }
    try {
      if (envFlag("HF_HUB_DISABLE_SYMLINKS")) throw new Error("symlinks disabled");
      symlinkSync(target, pointer);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST" && existsSync(pointer)) return pointer;
      const temporary = `${pointer}.${randomBytes(4).toString("hex")}.tmp`;
      copyFileSync(blob, temporary);
      renameSync(temporary, pointer);
    }
    return pointer;
  }
}
