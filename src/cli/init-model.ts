// `embedtune init-model`: writes a randomly initialised model folder of a family (default bert; see
// generator/init-model.ts). Files
// already in --out stay; a non-empty folder that holds no model needs --overwrite.

import { initModel, PRESETS } from "../generator/init-model.ts";
import { supportedModelTypes } from "../models/families/index.ts";
import { ArgumentError } from "../errors.ts";
import type { Command } from "./main.ts";
import { integerOption } from "./options.ts";

export const initModelCommand: Command = {
  summary: `write a randomly initialised model folder of a family (${supportedModelTypes().join(", ")}; sentence-transformers layout)`,
  usage:
    `embedtune init-model --out DIR [--family ${supportedModelTypes().join("|")}] [--preset tiny|bge-small] [--hidden N --layers N --heads N --intermediate N] ` +
    "[--pooling cls|mean] [--vocab-from TEXTFILE | --vocab VOCAB.txt (bert)] [--vocab-size N] [--max-seq-length N] [--seed N] [--no-normalize] [--overwrite]",
  options: {
    out: { type: "string" },
    family: { type: "string" },
    preset: { type: "string" },
    hidden: { type: "string" },
    layers: { type: "string" },
    heads: { type: "string" },
    intermediate: { type: "string" },
    pooling: { type: "string" },
    "vocab-from": { type: "string" },
    vocab: { type: "string" },
    "vocab-size": { type: "string" },
    "max-seq-length": { type: "string" },
    seed: { type: "string" },
    "no-normalize": { type: "boolean" },
    overwrite: { type: "boolean" },
  },
  async run(values) {
    if (typeof values.out !== "string") throw new ArgumentError("--out", "is required: the folder to write the model into");
    if (values.preset !== undefined && !(String(values.preset) in PRESETS)) {
      throw new ArgumentError("--preset", `${JSON.stringify(values.preset)} is not one of ${Object.keys(PRESETS).join(", ")}`);
    }
    if (values.vocab !== undefined && values["vocab-from"] !== undefined) {
      throw new ArgumentError("--vocab", "give either --vocab or --vocab-from, not both");
    }
    const result = await initModel({
      out: values.out,
      family: values.family as string | undefined,
      preset: values.preset as keyof typeof PRESETS | undefined,
      hidden: integerOption(values, "hidden"),
      layers: integerOption(values, "layers"),
      heads: integerOption(values, "heads"),
      intermediate: integerOption(values, "intermediate"),
      pooling: values.pooling as "cls" | "mean" | undefined,
      vocabFrom: values["vocab-from"] as string | undefined,
      vocab: values.vocab as string | undefined,
      vocabSize: integerOption(values, "vocab-size"),
      maxSeqLength: integerOption(values, "max-seq-length"),
      seed: integerOption(values, "seed", 0),
      normalize: !values["no-normalize"],
      overwrite: values.overwrite === true,
      argument: "--overwrite",
    });
    console.log(`wrote ${result.directory}: ${result.parameterCount.toLocaleString("en")} parameters, vocabulary of ${result.vocabSize}`);
  },
};
