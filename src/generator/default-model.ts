// The embedded default model: a tiny random BERT (mean pooling + Normalize, WordPiece vocabulary
// learnt from the project's own text in data/) generated once, deterministically, into a cache folder
// ($EMBEDTUNE_CACHE, else ~/.cache/embedtune). Used whenever the user names no model.

import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { DEFAULT_CORPUS, initModel } from "./init-model.ts";

/** Bump when the recipe changes, so an old cached model is not reused. */
const RECIPE = "tiny-v2";

/** The project's text: the vocabulary corpus and the pair-score sentences. */
const VOCABULARY_SOURCES = [DEFAULT_CORPUS, new URL("../../data/pair-score/pairs.tsv", import.meta.url).pathname];

export function cacheDirectory(): string {
  return process.env.EMBEDTUNE_CACHE ?? join(homedir(), ".cache", "embedtune");
}

export function defaultModelDirectory(): string {
  return join(cacheDirectory(), `default-model-${RECIPE}`);
}

/** The default model's folder, generated on first use. */
export async function ensureDefaultModel(options: { quiet?: boolean } = {}): Promise<string> {
  const directory = defaultModelDirectory();
  if (!existsSync(join(directory, "modules.json"))) {
    if (!options.quiet) process.stderr.write(`embedtune: generating the default model (tiny random BERT) in ${directory}\n`);
    // The cache folder is embedtune's own: a half-written earlier attempt is completed, not refused.
    await initModel({ out: directory, preset: "tiny", vocabFrom: VOCABULARY_SOURCES, seed: 42, overwrite: true });
  }
  return directory;
}
