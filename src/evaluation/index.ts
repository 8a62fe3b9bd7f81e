// The evaluators of sentence-transformers (v3 keys, see each file's header for the exact math).
export * from "./evaluator.ts";
export * from "./statistics.ts";
export * from "./paired-scores.ts";
export * from "./embedding-similarity.ts";
export * from "./binary-classification.ts";
export * from "./triplet.ts";
export * from "./sequential.ts";
export * from "./top-k.ts";
export * from "./information-retrieval.ts";
