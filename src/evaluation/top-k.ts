// The k best-scored items of a stream, kept in a bounded min-heap (O(k) memory, O(log k) per kept item),
// as sentence-transformers' InformationRetrievalEvaluator keeps each query's top hits over corpus chunks.
// Order (a total order, so the result does not depend on how the stream is chunked): higher score first,
// equal scores by lower index first. NaN scores rank below every number (they are stored as −Infinity).
//   push(score, index): O(1) when the item does not beat the heap's worst, else O(log k)
//   sorted(): the kept items, best first.

import { ArgumentError } from "../errors.ts";

export interface ScoredIndex {
  score: number;
  index: number;
}

export class TopK {
  readonly k: number;
  readonly #scores: Float64Array;
  readonly #indices: Int32Array;
  #size = 0;

  constructor(k: number) {
    if (!Number.isInteger(k) || k < 1) throw new ArgumentError("k", `must be a positive integer, got ${k}`);
    this.k = k;
    this.#scores = new Float64Array(k);
    this.#indices = new Int32Array(k);
  }

  /** Number of items kept (min(k, items pushed)). */
  get size(): number {
    return this.#size;
  }

  /** The score an item must beat (or tie with a lower index) to enter a full heap; −Infinity while not full. */
  get threshold(): number {
    return this.#size < this.k ? -Infinity : this.#scores[0];
  }

  /** Offers one item; `index` must be a non-negative 32-bit integer (e.g. a corpus position). */
  push(score: number, index: number): void {
    const value = Number.isNaN(score) ? -Infinity : score;
    const scores = this.#scores;
    const indices = this.#indices;
    if (this.#size < this.k) {
      // Sift up from the end.
      let position = this.#size++;
      while (position > 0) {
        const parent = (position - 1) >> 1;
        if (!worse(value, index, scores[parent], indices[parent])) break;
        scores[position] = scores[parent];
        indices[position] = indices[parent];
        position = parent;
      }
      scores[position] = value;
      indices[position] = index;
      return;
    }
    // Full: replace the root (the worst kept item) only when the new item is better than it.
    if (!worse(scores[0], indices[0], value, index)) return;
    let position = 0;
    const size = this.#size;
    for (;;) {
      const left = 2 * position + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && worse(scores[right], indices[right], scores[left], indices[left]) ? right : left;
      if (!worse(scores[child], indices[child], value, index)) break;
      scores[position] = scores[child];
      indices[position] = indices[child];
      position = child;
    }
    scores[position] = value;
    indices[position] = index;
  }

  /** The kept items, best first (higher score, then lower index). */
  sorted(): ScoredIndex[] {
    const items: ScoredIndex[] = [];
    for (let i = 0; i < this.#size; i++) items.push({ score: this.#scores[i], index: this.#indices[i] });
    return items.sort((a, b) => (worse(a.score, a.index, b.score, b.index) ? 1 : worse(b.score, b.index, a.score, a.index) ? -1 : 0));
  }
}

/** True when item a ranks below item b: a lower score, or the same score and a higher index. */
function worse(scoreA: number, indexA: number, scoreB: number, indexB: number): boolean {
  return scoreA < scoreB || (scoreA === scoreB && indexA > indexB);
}
