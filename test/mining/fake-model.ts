// A stand-in model for mining tests: encode() looks each (prompt + text) up in a fixed table, normalises when
// asked (as SentenceTransformer does) and records every call. Documents are built so that every score is
// known by hand: doc(a, b, c) = (a, b, c, √(1 − a² − b² − c²)) is a unit vector whose cosine with the
// queries e0, e1, e2 is exactly a, b, c.
import type { EncodeOptions } from "../../src/models/sentence-transformer.ts";
import type { MiningModel } from "../../src/mining/hard-negatives.ts";
import type { SimilarityFunctionName } from "../../src/similarity.ts";

export class TableModel implements MiningModel {
  readonly calls: { sentences: string[]; options: EncodeOptions | undefined }[] = [];

  constructor(
    readonly table: Record<string, number[]>,
    readonly similarityFnName: SimilarityFunctionName = "cosine",
    readonly prompts: Record<string, string> = {},
  ) {}

  async encode(sentences: string[], options?: EncodeOptions): Promise<number[][]> {
    this.calls.push({ sentences: [...sentences], options });
    const prompt = options?.prompt ?? (options?.promptName !== undefined ? this.prompts[options.promptName] : "");
    if (prompt === undefined) throw new Error(`TableModel has no prompt ${options?.promptName}`);
    return sentences.map((sentence) => {
      const embedding = this.table[prompt + sentence];
      if (!embedding) throw new Error(`TableModel has no embedding for ${JSON.stringify(prompt + sentence)}`);
      if (!options?.normalizeEmbeddings) return [...embedding];
      const norm = Math.hypot(...embedding);
      return embedding.map((value) => value / norm);
    });
  }
}

/** The unit vector whose cosine with the axes e0, e1, e2 (of 4) is a, b, c. */
export function doc(a: number, b: number, c: number): number[] {
  return [a, b, c, Math.sqrt(1 - a * a - b * b - c * c)];
}

export const Q1 = [1, 0, 0, 0];
export const Q2 = [0, 1, 0, 0];
export const Q3 = [0, 0, 1, 0];
