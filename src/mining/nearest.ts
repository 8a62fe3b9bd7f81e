// Exact nearest-neighbour search in float64, for hard-negative mining: for every query the k corpus
// entries of highest similarity, ordered by score descending, ties by lower corpus index. Scores use the
// model's similarity function as sentence-transformers defines it (src/similarity.ts):
//   cosine: a·b / (max(‖a‖, 1e-12) · max(‖b‖, 1e-12))   dot: a·b   euclidean: −‖a − b‖₂   manhattan: −‖a − b‖₁
// Memory stays bounded: queries are scored in chunks against the corpus and only a k-sized heap per query is
// kept (never the full queries × corpus matrix); the result is the [queries, k] table of indices and scores.
// searchNeighbours is the same search as a generator yielding after each query chunk (progress, interrupts).
// A NaN score (from a NaN embedding) never becomes a neighbour. When the corpus has fewer than k entries,
// the rows are padded with index −1 and score −Infinity (as sentence-transformers pads after torch.topk).

import type { SimilarityFunctionName } from "../similarity.ts";

export interface Neighbours {
  /** Neighbours per query (the k asked for, padding included). */
  k: number;
  /** Row-major [queries, k] corpus indices; −1 where the corpus ran out. */
  indices: Int32Array;
  /** Row-major [queries, k] scores; −Infinity where the corpus ran out. */
  scores: Float64Array;
}

/** Embeddings packed row-major into one Float64Array, with their norms (for cosine). */
interface Packed {
  rows: number;
  dim: number;
  values: Float64Array;
  norms: Float64Array;
}

function pack(embeddings: readonly (readonly number[])[], dim: number, what: string): Packed {
  const values = new Float64Array(embeddings.length * dim);
  const norms = new Float64Array(embeddings.length);
  embeddings.forEach((row, index) => {
    if (row.length !== dim) throw new Error(`${what} embedding ${index} has dimension ${row.length}, expected ${dim}`);
    let squares = 0;
    for (let d = 0; d < dim; d++) {
      values[index * dim + d] = row[d];
      squares += row[d] * row[d];
    }
    norms[index] = Math.max(Math.sqrt(squares), 1e-12);
  });
  return { rows: embeddings.length, dim, values, norms };
}

type Score = (a: Packed, i: number, b: Packed, j: number) => number;

function scoreFunction(name: SimilarityFunctionName): Score {
  switch (name) {
    case "cosine":
      return (a, i, b, j) => dot(a, i, b, j) / (a.norms[i] * b.norms[j]);
    case "dot":
      return dot;
    case "euclidean":
      return (a, i, b, j) => {
        const dim = a.dim;
        let sum = 0;
        for (let d = 0, x = i * dim, y = j * dim; d < dim; d++) {
          const difference = a.values[x + d] - b.values[y + d];
          sum += difference * difference;
        }
        return -Math.sqrt(sum);
      };
    case "manhattan":
      return (a, i, b, j) => {
        const dim = a.dim;
        let sum = 0;
        for (let d = 0, x = i * dim, y = j * dim; d < dim; d++) sum += Math.abs(a.values[x + d] - b.values[y + d]);
        return -sum;
      };
  }
}

function dot(a: Packed, i: number, b: Packed, j: number): number {
  const dim = a.dim;
  const x = i * dim;
  const y = j * dim;
  let sum = 0;
  for (let d = 0; d < dim; d++) sum += a.values[x + d] * b.values[y + d];
  return sum;
}

function dimensionOf(...lists: readonly (readonly (readonly number[])[])[]): number {
  for (const list of lists) if (list.length > 0) return list[0].length;
  return 0;
}

/** Row-wise scores of a[i] and b[i] (e.g. each anchor with its positive). */
export function pairScores(a: readonly (readonly number[])[], b: readonly (readonly number[])[], name: SimilarityFunctionName): number[] {
  if (a.length !== b.length) throw new Error(`pair scores of ${a.length} and ${b.length} embeddings`);
  const dim = dimensionOf(a, b);
  const left = pack(a, dim, "anchor");
  const right = pack(b, dim, "positive");
  const score = scoreFunction(name);
  return a.map((_, index) => score(left, index, right, index));
}

export interface NearestOptions {
  /** Queries scored per chunk. Default 256. */
  chunkSize?: number;
}

/** The k best corpus entries per query (see the file comment). */
export function nearestNeighbours(
  queries: readonly (readonly number[])[],
  corpus: readonly (readonly number[])[],
  k: number,
  name: SimilarityFunctionName,
  options: NearestOptions = {},
): Neighbours {
  const search = searchNeighbours(queries, corpus, k, name, options);
  for (;;) {
    const step = search.next();
    if (step.done) return step.value;
  }
}

/**
 * nearestNeighbours chunk by chunk, so a caller can report progress or stop between chunks: yields the
 * number of queries scored so far after each chunk, and returns the table.
 */
export function* searchNeighbours(
  queries: readonly (readonly number[])[],
  corpus: readonly (readonly number[])[],
  k: number,
  name: SimilarityFunctionName,
  options: NearestOptions = {},
): Generator<number, Neighbours, void> {
  const dim = dimensionOf(queries, corpus);
  const left = pack(queries, dim, "query");
  const right = pack(corpus, dim, "corpus");
  const score = scoreFunction(name);
  const indices = new Int32Array(queries.length * k).fill(-1);
  const scores = new Float64Array(queries.length * k).fill(-Infinity);
  const chunkSize = options.chunkSize ?? 256;
  // A min-heap of the best entries so far: the root is the worst kept one (lowest score, then highest index).
  const heapIndex = new Int32Array(k);
  const heapScore = new Float64Array(k);
  const worse = (a: number, b: number): boolean => heapScore[a] < heapScore[b] || (heapScore[a] === heapScore[b] && heapIndex[a] > heapIndex[b]);
  const swap = (a: number, b: number): void => {
    const index = heapIndex[a];
    heapIndex[a] = heapIndex[b];
    heapIndex[b] = index;
    const value = heapScore[a];
    heapScore[a] = heapScore[b];
    heapScore[b] = value;
  };
  const siftDown = (start: number, size: number): void => {
    let node = start;
    for (;;) {
      const left = 2 * node + 1;
      const right = left + 1;
      let worst = node;
      if (left < size && worse(left, worst)) worst = left;
      if (right < size && worse(right, worst)) worst = right;
      if (worst === node) return;
      swap(node, worst);
      node = worst;
    }
  };
  for (let start = 0; start < queries.length; start += chunkSize) {
    const end = Math.min(start + chunkSize, queries.length);
    for (let q = start; q < end; q++) {
      let size = 0;
      for (let j = 0; j < corpus.length && k > 0; j++) {
        const value = score(left, q, right, j);
        if (Number.isNaN(value)) continue;
        if (size < k) {
          // Sift the new entry up from the end.
          let node = size++;
          heapIndex[node] = j;
          heapScore[node] = value;
          while (node > 0) {
            const parent = (node - 1) >> 1;
            if (!worse(node, parent)) break;
            swap(node, parent);
            node = parent;
          }
        } else if (value > heapScore[0]) {
          // Equal scores keep the lower index, which was seen first.
          heapIndex[0] = j;
          heapScore[0] = value;
          siftDown(0, size);
        }
      }
      // Pop worst-first into the row from its end, giving best-first order.
      for (let position = size - 1; position >= 0; position--) {
        indices[q * k + position] = heapIndex[0];
        scores[q * k + position] = heapScore[0];
        size--;
        if (size > 0) {
          swap(0, size);
          siftDown(0, size);
        }
      }
    }
    yield end;
  }
  return { k, indices, scores };
}
