// `embedtune demo` (npm start): the embedded default model on the project's own sentences — load,
// encode with progress, and show each query's nearest sentences by the model's similarity.

import { readFileSync } from "node:fs";
import { DEFAULT_CORPUS } from "../generator/init-model.ts";
import type { Command } from "./main.ts";
import { loadModelOption, MODEL_OPTIONS, MODEL_USAGE } from "./options.ts";

const QUERIES = ["How do I reset my password?", "A man is playing a guitar.", "It will rain tomorrow."];

export const demoCommand: Command = {
  summary: "encode the project's sentences with the default model (or --model DIR) and show nearest neighbours",
  usage: `embedtune demo ${MODEL_USAGE}`,
  options: { ...MODEL_OPTIONS },
  async run(values) {
    const model = await loadModelOption(values);
    console.log(String(model));
    const corpus = readFileSync(DEFAULT_CORPUS, "utf8").split("\n").filter((line) => line.trim() !== "");
    const corpusEmbeddings = await model.encode(corpus, { showProgressBar: true });
    const scores = model.similarity(await model.encode(QUERIES), corpusEmbeddings);
    QUERIES.forEach((query, row) => {
      console.log(`\n${query}`);
      const ranked = scores[row].map((score, index) => ({ score, index })).sort((a, b) => b.score - a.score);
      for (const { score, index } of ranked.slice(0, 3)) console.log(`  ${score.toFixed(3)}  ${corpus[index]}`);
    });
    model.dispose();
  },
};
