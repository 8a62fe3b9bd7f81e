// A pair-score dataset from the project's corpus for training tests: adjacent lines (often
// paraphrases) scored 1, lines 301 apart scored 0, alternating.

import { readFileSync } from "node:fs";
import { Dataset } from "../../src/data/dataset.ts";
import { DEFAULT_CORPUS } from "../../src/generator/init-model.ts";

export const corpus = readFileSync(DEFAULT_CORPUS, "utf8").split("\n").filter(Boolean);

export function corpusPairScores(start: number, count: number): Dataset {
  return Dataset.fromRows(
    Array.from({ length: count }, (_, i) => {
      const index = start + 2 * i;
      const related = i % 2 === 0;
      return {
        sentence1: corpus[index % corpus.length],
        sentence2: corpus[(related ? index + 1 : index + 301) % corpus.length],
        score: related ? 1 : 0,
      };
    }),
  );
}
