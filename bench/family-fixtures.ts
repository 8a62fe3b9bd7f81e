// The model folders of the family-step benchmark, generated once into the scratch folder (never into the
// project), each at a released model's exact shape with random weights:
//   e5-small         intfloat/multilingual-e5-small: BERT inside (12 × 384, 12 heads, FFN 1536, 512 positions,
//                    2 token types, vocab 250,037) with an XLM-R (SentencePiece Unigram) tokenizer, mean pooling + Normalize
//   modernbert-base  answerdotai/ModernBERT-base: 22 × 768, 12 heads, GLU 1152, vocab 50,368, local window 128,
//                    global attention every 3rd layer, no biases, 8,192 positions; mean pooling + Normalize
//   xlm-roberta-base FacebookAI/xlm-roberta-base: 12 × 768, 12 heads, FFN 3072, vocab 250,002 (278M parameters)
// Recipe: initModel({ family, sizes }) writes the folder with the family's random tokenizer; the tokenizer can
// only hold pieces it learnt from its texts (for the XLM-R tokenizers STS-B train's sentences, so STS-B's words
// are one piece each; for ModernBERT the project corpus, its texts are cut to a pinned length anyway), so
// config.json is then set to the released model's sizes (vocab_size among them; e5-small's also to model_type
// bert) and the weights are drawn again for it with the generic randomWeights (rows past the tokenizer's
// pieces are never looked up, but they are trained: AdamW updates the whole embedding matrix, as for the real model).

import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runNodeTask, scratchDir, scratchFile } from "./common.ts";
import { stampMatches, stsbRows } from "./fixtures.ts";

export type FamilyModelName = "e5-small" | "modernbert-base" | "xlm-roberta-base";

interface FamilyRecipe {
  init: Record<string, unknown>;
  /** Texts the tokenizer learns its pieces from: STS-B train's sentences, or initModel's default corpus. */
  vocabFromStsb: boolean;
  /** config.json keys set after initModel (the released model's values). */
  config: Record<string, unknown>;
  /** sentence_bert_config.json's max_seq_length, where it differs from initModel's (at most 512). */
  maxSeqLength?: number;
}

const FAMILY_RECIPES: Record<FamilyModelName, FamilyRecipe> = {
  "e5-small": {
    init: { family: "xlm-roberta", hidden: 384, layers: 12, heads: 12, intermediate: 1536, pooling: "mean", normalize: true, vocabSize: 250_037, maxSeqLength: 512, seed: 42 },
    vocabFromStsb: true,
    config: {
      architectures: ["BertModel"],
      attention_probs_dropout_prob: 0.1,
      hidden_act: "gelu",
      hidden_dropout_prob: 0.1,
      hidden_size: 384,
      initializer_range: 0.02,
      intermediate_size: 1536,
      layer_norm_eps: 1e-12,
      max_position_embeddings: 512,
      model_type: "bert",
      num_attention_heads: 12,
      num_hidden_layers: 12,
      pad_token_id: 0,
      position_embedding_type: "absolute",
      tokenizer_class: "XLMRobertaTokenizer",
      torch_dtype: "float32",
      type_vocab_size: 2,
      use_cache: true,
      vocab_size: 250_037,
    },
  },
  "modernbert-base": {
    init: { family: "modernbert", hidden: 768, layers: 22, heads: 12, intermediate: 1152, pooling: "mean", normalize: true, vocabSize: 1024, maxSeqLength: 512, seed: 42 },
    vocabFromStsb: false,
    config: { vocab_size: 50_368, max_position_embeddings: 8192, local_attention: 128, global_attn_every_n_layers: 3 },
    maxSeqLength: 8192,
  },
  "xlm-roberta-base": {
    init: { family: "xlm-roberta", hidden: 768, layers: 12, heads: 12, intermediate: 3072, pooling: "mean", normalize: true, vocabSize: 250_002, maxSeqLength: 512, seed: 42 },
    vocabFromStsb: true,
    config: { vocab_size: 250_002, max_position_embeddings: 514 },
  },
};

/** The folder of a generated family model, made on first use (a stamp file holds the recipe it was made with). */
export async function ensureFamilyModel(name: FamilyModelName): Promise<string> {
  const recipe = FAMILY_RECIPES[name];
  const directory = join(scratchDir("models"), name);
  const stamp = join(scratchDir("models"), `${name}.recipe.json`);
  if (!stampMatches(stamp, recipe) || !existsSync(join(directory, "model.safetensors"))) {
    const init: Record<string, unknown> = { ...recipe.init, overwrite: true };
    if (recipe.vocabFromStsb) {
      const corpus = scratchFile("data", "stsb-train-sentences.txt");
      writeFileSync(corpus, `${(await stsbRows("train")).flatMap((row) => [row.sentence1, row.sentence2]).join("\n")}\n`);
      init.vocabFrom = corpus;
    }
    await runNodeTask("fixture-family-model", { out: directory, init, config: recipe.config, maxSeqLength: recipe.maxSeqLength }, { label: `generating the ${name} model`, timeoutSeconds: 900 });
    writeFileSync(stamp, JSON.stringify(recipe));
  }
  return directory;
}

// ---------------------------------------------------------------- child-side task

export const familyFixtureTasks = {
  async "fixture-family-model"(input: { out: string; init: Record<string, unknown>; config: Record<string, unknown>; maxSeqLength?: number }) {
    const { readFileSync } = await import("node:fs");
    const { initModel } = await import("../src/index.ts");
    const { familyNamed } = await import("../src/models/families/index.ts");
    const { randomWeights } = await import("../src/generator/random-weights.ts");
    const { writeSafetensors } = await import("../src/io/safetensors.ts");
    const { writeJsonFile } = await import("../src/io/model-folder.ts");
    await initModel({ ...(input.init as object), out: input.out } as Parameters<typeof initModel>[0]);
    const configPath = join(input.out, "config.json");
    const raw = { ...(JSON.parse(readFileSync(configPath, "utf8")) as Record<string, unknown>), ...input.config };
    const config = Object.fromEntries(Object.entries(raw).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const family = familyNamed(String(config.model_type))!;
    const parsed = family.parseConfig(config, configPath);
    const weights = randomWeights(family, parsed, 0.02, Number(input.init.seed ?? 42));
    writeJsonFile(configPath, config);
    writeSafetensors(join(input.out, "model.safetensors"), weights, { format: "pt" });
    if (input.maxSeqLength !== undefined) {
      const sentencePath = join(input.out, "sentence_bert_config.json");
      writeJsonFile(sentencePath, { ...(JSON.parse(readFileSync(sentencePath, "utf8")) as object), max_seq_length: input.maxSeqLength });
    }
    return { parameterCount: weights.reduce((sum, tensor) => sum + tensor.values.length, 0), vocabSize: parsed.vocabSize };
  },
};
