// `embedtune tokenize`: the token ids the model sees for each sentence ([CLS] … [SEP], truncated to
// max_seq_length), one JSON array per line, in input order; --tokens prints the token strings instead.

import type { Command } from "./main.ts";
import { inputSentences, loadModelOption, MODEL_OPTIONS, MODEL_USAGE } from "./options.ts";

export const tokenizeCommand: Command = {
  summary: "print the token ids (or --tokens: strings) of each sentence as a JSON array, one per line",
  usage: `embedtune tokenize ${MODEL_USAGE} (--input FILE | SENTENCE...) [--tokens]`,
  options: { ...MODEL_OPTIONS, input: { type: "string" }, tokens: { type: "boolean" } },
  async run(values, positionals) {
    const sentences = inputSentences(values, positionals);
    const model = await loadModelOption(values);
    const { tokenizer, maxSeqLength, doLowerCase } = model.transformer;
    const rows = sentences.map((sentence) => {
      const tokens = tokenizer.tokens(sentence, { maxSeqLength, doLowerCase });
      return values.tokens ? tokens : tokenizer.ids(sentence, { maxSeqLength, doLowerCase });
    });
    process.stdout.write(rows.map((row) => JSON.stringify(row)).join("\n") + "\n");
    model.dispose();
  },
};
