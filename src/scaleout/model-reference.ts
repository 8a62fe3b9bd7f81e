// Where a model comes from, as a sentence-transformers script names it: a Hub id with the commit it was
// downloaded at (a folder in Python's hub cache, `…/models--org--name/snapshots/<commit>`, is that
// model), or else the absolute path of its local folder. SentenceTransformer(<id>, revision=<commit>) /
// SentenceTransformer(<path>) then load the same weights the embedtune run started from.

import { basename, dirname, resolve } from "node:path";
import { ArgumentError } from "../errors.ts";

export type ModelReference = { repoId: string; revision?: string } | { path: string };

const COMMIT = /^[0-9a-f]{40}$/;

/** The reference of a local model folder: its Hub id and commit when it is a snapshot of Python's hub cache. */
export function folderReference(folder: string): ModelReference {
  const absolute = resolve(folder);
  const snapshots = dirname(absolute);
  const repository = basename(dirname(snapshots));
  if (basename(snapshots) === "snapshots" && COMMIT.test(basename(absolute)) && repository.startsWith("models--")) {
    return { repoId: repository.slice("models--".length).split("--").join("/"), revision: basename(absolute) };
  }
  return { path: absolute };
}

/** The reference of a loaded model (`what` names it in the error, e.g. "model", "guide"). */
export function loadedModelReference(model: { sourceDirectory?: string }, what: string): ModelReference {
  if (model.sourceDirectory === undefined) {
    throw new ArgumentError(what, "was not loaded from a folder, so a script cannot load it: save it (savePretrained(dir)), load it from there and train again");
  }
  return folderReference(model.sourceDirectory);
}

/** "org/name@<commit>" or the path, for messages and README text. */
export function describeReference(reference: ModelReference): string {
  return "path" in reference ? reference.path : `${reference.repoId}${reference.revision ? `@${reference.revision}` : ""}`;
}
