// A stand-in for SentenceTransformer in evaluator tests: encode() looks every sentence up in a fixed table
// of embeddings (so each metric can be worked out by hand) and records how it was called.
import type { EncodeOptions } from "../../src/models/sentence-transformer.ts";
import type { EvaluationModel } from "../../src/evaluation/evaluator.ts";
import type { SimilarityFunctionName } from "../../src/similarity.ts";

export class FakeModel implements EvaluationModel {
  readonly calls: { sentences: string[]; options: EncodeOptions | undefined }[] = [];

  constructor(
    readonly table: Record<string, number[]>,
    readonly similarityFnName: SimilarityFunctionName = "cosine",
  ) {}

  async encode(sentences: string[], options?: EncodeOptions): Promise<number[][]> {
    this.calls.push({ sentences: [...sentences], options });
    return sentences.map((sentence) => {
      const embedding = this.table[sentence];
      if (!embedding) throw new Error(`FakeModel has no embedding for ${JSON.stringify(sentence)}`);
      if (!options?.normalizeEmbeddings) return [...embedding];
      const norm = Math.hypot(...embedding);
      return embedding.map((value) => value / norm);
    });
  }
}

/** assert.ok with a message for |actual − expected| ≤ tolerance. */
export function assertClose(actual: number, expected: number, tolerance = 1e-12, what = ""): void {
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new Error(`${what ? `${what}: ` : ""}expected ${expected} ± ${tolerance}, got ${actual}`);
  }
}
