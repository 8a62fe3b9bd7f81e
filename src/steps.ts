// The tutorial's step functions: thin wrappers that read like the sentence-transformers tutorial
// when used cell by cell from a notebook or the REPL.

import { ensureDefaultModel } from "./generator/default-model.ts";
import { SentenceTransformer, type SentenceTransformerOptions } from "./models/sentence-transformer.ts";

/** Step 1: load a model folder (Hugging Face / sentence-transformers layout); none → the embedded default. */
export async function loadModel(directory?: string, options: SentenceTransformerOptions = {}): Promise<SentenceTransformer> {
  return SentenceTransformer.load(directory ?? (await ensureDefaultModel(options)), options);
}
