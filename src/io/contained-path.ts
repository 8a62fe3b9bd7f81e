// What a model folder may make the loader open. A downloaded folder is untrusted: modules.json, a
// shard index or a symlink must not make embedtune read (and later copy into a saved model, or quote in
// an error) files from elsewhere on the machine. The rule:
//  - A module folder (a path in modules.json) must lie inside the model folder, lexically (relative,
//    no ".." escaping it) and after resolving symlinks (fs.realpathSync of both sides).
//  - A file the loader opens (config.json, tokenizer.json, vocab.txt, model.safetensors, a shard,
//    1_Pooling/config.json, …) may be a symlink, but it must resolve inside the model folder, or — when
//    the model folder is a Hugging Face cache snapshot (…/models--org--name/snapshots/<commit>/…) — inside
//    that same cache repo's blobs/ folder, where the hub stores the content its snapshot symlinks point
//    to. Anything else is refused before it is read.
// A path that does not resolve (missing, dangling symlink) is not refused here: the caller reports it
// as missing. Error messages name the path inside the model folder, never where a symlink points.

import { realpathSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, relative, sep } from "node:path";
import { ModelLoadError } from "../errors.ts";

/** True when `child` is `parent` or lies below it (both absolute, already resolved). */
export function isInside(parent: string, child: string): boolean {
  const path = relative(parent, child);
  return path === "" || (path !== ".." && !path.startsWith(`..${sep}`) && !isAbsolute(path));
}

/** A relative path that stays inside the folder it is relative to, without resolving symlinks. */
export function isLexicallyInside(path: string): boolean {
  if (isAbsolute(path)) return false;
  const normalized = normalize(path);
  return normalized !== ".." && !normalized.startsWith(`..${sep}`);
}

function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

const HUB_SNAPSHOT = new RegExp(`^(.*\\${sep}(?:models|datasets|spaces)--[^\\${sep}]+)\\${sep}snapshots\\${sep}[^\\${sep}]+(?:\\${sep}|$)`);

/** The folders files of `root` may resolve into: the folder itself and, in a hub cache, the repo's blobs/. */
function allowedFolders(root: string): string[] {
  const realRoot = realpathOrUndefined(root);
  if (realRoot === undefined) return [];
  const snapshot = HUB_SNAPSHOT.exec(realRoot);
  const blobs = snapshot ? realpathOrUndefined(join(snapshot[1], "blobs")) : undefined;
  return blobs === undefined ? [realRoot] : [realRoot, blobs];
}

/**
 * Refuses a file below `root` that resolves (through symlinks) outside the model folder and its hub
 * cache blobs. `path` must be a path built inside `root`.
 */
export function assertContainedFile(root: string, path: string): void {
  const real = realpathOrUndefined(path);
  if (real === undefined) return;
  if (allowedFolders(root).some((folder) => isInside(folder, real))) return;
  throw new ModelLoadError(
    path,
    "is a symlink to a file outside the model folder; embedtune follows symlinks only within the model folder " +
      "(or into its Hugging Face cache repo's blobs/) so a downloaded model cannot make it read other files",
  );
}

/**
 * Why the module path `modulePath` of modules.json escapes the model folder `root`, or undefined when it
 * stays inside (lexically and after resolving symlinks; a folder that does not exist is checked lexically).
 */
export function moduleFolderEscape(root: string, modulePath: string): string | undefined {
  if (isAbsolute(modulePath)) return "is an absolute path";
  if (!isLexicallyInside(modulePath)) return "leads outside the model folder";
  const realRoot = realpathOrUndefined(root);
  const real = realpathOrUndefined(join(root, modulePath));
  if (realRoot !== undefined && real !== undefined && !isInside(realRoot, real)) {
    return "resolves through a symlink to a folder outside the model folder";
  }
  // A missing module folder: its nearest existing ancestor must still be inside (a symlinked parent).
  if (realRoot !== undefined && real === undefined) {
    let ancestor = dirname(join(root, modulePath));
    let realAncestor = realpathOrUndefined(ancestor);
    while (realAncestor === undefined && ancestor !== dirname(ancestor)) {
      ancestor = dirname(ancestor);
      realAncestor = realpathOrUndefined(ancestor);
    }
    if (realAncestor !== undefined && !isInside(realRoot, realAncestor)) {
      return "resolves through a symlink to a folder outside the model folder";
    }
  }
  return undefined;
}
