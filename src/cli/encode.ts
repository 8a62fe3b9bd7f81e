// `embedtune encode`: one JSON array per input sentence on stdout, in input order. Sentences come from
// the arguments or --input FILE (see options.ts). Embeddings are L2-normalised unless --no-normalize
// (then they are exactly the model's output).

import type { Command } from "./main.ts";
import { inputSentences, integerOption, loadModelOption } from "./options.ts";

export const encodeCommand: Command = {
  summary: "print the embedding of each sentence as a JSON array, one per line",
  usage: "embedtune encode [--model DIR] (--input FILE | SENTENCE...) [--batch-size N] [--no-normalize]",
  options: {
    model: { type: "string" },
    input: { type: "string" },
    "batch-size": { type: "string" },
    "no-normalize": { type: "boolean" },
    "progress": { type: "boolean" },
  },
  async run(values, positionals) {
    const sentences = inputSentences(values, positionals);
    // Checked before the model loads, so a bad option fails at once.
    const batchSize = integerOption(values, "batch-size");
    const model = await loadModelOption(values);
    const embeddings = await model.encode(sentences, {
      batchSize,
      normalizeEmbeddings: !values["no-normalize"],
      showProgressBar: values.progress === true || (process.stderr.isTTY && sentences.length > 256),
    });
    process.stdout.write(embeddings.map((embedding) => JSON.stringify(embedding)).join("\n") + "\n");
    model.dispose();
  },
};
