// Tokenisation exactly as sentence-transformers 6 calls a Hugging Face tokenizer: each text as it is
// (no strip: sentence-transformers 3 stripped, 6 does not), lowercased when sentence_bert_config says
// do_lower_case, through tokenizer.json (@huggingface/transformers, local files only), truncate the *content* to
// max_seq_length − #special tokens, wrap it in the post-processor's special tokens ([CLS] … [SEP]),
// pad to the longest row with the pad id; attention mask 1 for real tokens, token type ids 0.
// (transformers.js truncates after adding specials and so drops the final [SEP]; we do not.)
// XLMRobertaTokenizer: transformers 5 does not run tokenizer.json's pipeline as written but builds its own
// (tokenization_xlm_roberta.py): the Precompiled normalizer alone (no Replace of space runs) and
// WhitespaceSplit before Metaspace, so trailing whitespace gives no lone "▁" token as the file's
// pipeline (and transformers.js) would; the file is rewritten to that pipeline before loading.
// The tokenizer files are read only when they resolve inside the model folder (contained-path.ts), since
// they are written back verbatim on save; JSON errors name the file and position, never its text.

import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { AutoTokenizer, PreTrainedTokenizer } from "@huggingface/transformers";
import { ModelLoadError } from "../errors.ts";
import { assertContainedFile } from "../io/contained-path.ts";
import { parseJsonText } from "../io/json-error.ts";
import type { EncoderInputs } from "../engines/architecture.ts";

/** Files copied verbatim when a model is saved. */
export const TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"];

interface SpecialTokenFrame {
  prefix: number[];
  suffix: number[];
}

type TokenizerCall = (texts: string[], options: Record<string, unknown>) => { input_ids: number[][] };

export class SentenceTokenizer {
  private constructor(
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly frame: SpecialTokenFrame,
    readonly padTokenId: number,
    /** The tokenizer files as read, written back verbatim on save. */
    readonly files: Map<string, string>,
    readonly vocabSize: number,
    /** tokenizer_config.json's model_max_length (NaN when absent). */
    readonly modelMaxLength: number,
  ) {}

  /** Loads the tokenizer files of `directory`, a folder inside the model folder `root` (default: itself). */
  static load(directory: string, root = directory): SentenceTokenizer {
    const tokenizerPath = join(directory, "tokenizer.json");
    if (!existsSync(tokenizerPath)) {
      throw new ModelLoadError(
        tokenizerPath,
        existsSync(join(directory, "vocab.txt"))
          ? "missing (only vocab.txt is present; save the tokenizer with a fast tokenizer to get tokenizer.json)"
          : "missing; a model folder needs the tokenizer's tokenizer.json",
      );
    }
    const files = new Map<string, string>();
    for (const name of TOKENIZER_FILES) {
      const path = join(directory, name);
      if (!existsSync(path)) continue;
      assertContainedFile(root, path);
      try {
        files.set(name, readFileSync(path, "utf8"));
      } catch (error) {
        throw new ModelLoadError(path, `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message.split("\n")[0]})`);
      }
    }
    const tokenizerJson = parseJsonObject(files.get("tokenizer.json")!, tokenizerPath);
    const configPath = join(directory, "tokenizer_config.json");
    const tokenizerConfig = files.has("tokenizer_config.json")
      ? parseJsonObject(files.get("tokenizer_config.json")!, configPath)
      : {};
    const model = tokenizerJson.model as { vocab?: unknown } | undefined;
    if (typeof model !== "object" || model === null || typeof model.vocab !== "object" || model.vocab === null) {
      throw new ModelLoadError(tokenizerPath, "has no model.vocab (not a Hugging Face tokenizers file?)");
    }
    const className = String(tokenizerConfig.tokenizer_class ?? "PreTrainedTokenizer").replace(/Fast$/, "");
    const classes = AutoTokenizer.TOKENIZER_CLASS_MAPPING as Record<string, typeof PreTrainedTokenizer>;
    const TokenizerClass = classes[className] ?? PreTrainedTokenizer;
    let tokenizer: PreTrainedTokenizer;
    try {
      tokenizer = new TokenizerClass(className === "XLMRobertaTokenizer" ? asTransformersBuildsXlmRoberta(tokenizerJson) : tokenizerJson, tokenizerConfig);
    } catch (error) {
      throw new ModelLoadError(tokenizerPath, `cannot be loaded: ${(error as Error).message.split("\n")[0]}`);
    }
    const frame = specialTokenFrame(tokenizerJson, tokenizerPath);
    const padTokenId = (tokenizer as unknown as { pad_token_id?: number }).pad_token_id ?? 0;
    const vocabSize = Object.keys(model.vocab).length;
    const modelMaxLength = Number(tokenizerConfig.model_max_length);
    return new SentenceTokenizer(tokenizer, frame, padTokenId, files, vocabSize, modelMaxLength);
  }

  /** Token ids of each text without special tokens. */
  contentIds(texts: string[]): number[][] {
    if (texts.length === 0) return [];
    const call = this.tokenizer as unknown as TokenizerCall;
    return call(texts, { add_special_tokens: false, return_tensor: false }).input_ids;
  }

  /** Number of special tokens the post-processor adds to one sequence. */
  get specialTokenCount(): number {
    return this.frame.prefix.length + this.frame.suffix.length;
  }

  /** One padded batch, as sentence-transformers' Transformer.tokenize builds it. */
  encodeBatch(texts: string[], options: { maxSeqLength: number; doLowerCase?: boolean }): EncoderInputs {
    const prepared = texts.map((text) => (options.doLowerCase ? String(text).toLowerCase() : String(text)));
    const contentLimit = Math.max(0, options.maxSeqLength - this.specialTokenCount);
    const rows = this.contentIds(prepared).map((ids) => [
      ...this.frame.prefix,
      ...ids.slice(0, contentLimit),
      ...this.frame.suffix,
    ]);
    const batchSize = rows.length;
    const seqLength = Math.max(1, ...rows.map((row) => row.length));
    const inputIds = new Int32Array(batchSize * seqLength).fill(this.padTokenId);
    const attentionMask = new Int32Array(batchSize * seqLength);
    rows.forEach((row, rowIndex) => {
      inputIds.set(row, rowIndex * seqLength);
      attentionMask.fill(1, rowIndex * seqLength, rowIndex * seqLength + row.length);
    });
    return { inputIds, attentionMask, tokenTypeIds: new Int32Array(batchSize * seqLength), batchSize, seqLength };
  }

  /** The token ids of one text as the model sees them (with special tokens, truncated). */
  ids(text: string, options: { maxSeqLength: number; doLowerCase?: boolean }): number[] {
    const batch = this.encodeBatch([text], options);
    return Array.from(batch.inputIds.subarray(0, batch.attentionMask.reduce((a, b) => a + b, 0)));
  }

  /** The token strings of one text (with special tokens), for display. */
  tokens(text: string, options: { maxSeqLength: number; doLowerCase?: boolean }): string[] {
    const vocabulary = (this.tokenizer as unknown as { model: { vocab: string[] } }).model.vocab;
    return this.ids(text, options).map((id) => vocabulary[id]);
  }
}

/** tokenizer.json with transformers 5's XLMRobertaTokenizer pipeline: Precompiled normalizer only, WhitespaceSplit then Metaspace. */
function asTransformersBuildsXlmRoberta(tokenizerJson: Record<string, unknown>): Record<string, unknown> {
  type Step = Record<string, unknown>;
  const steps = (step: unknown, key: string): Step[] =>
    step && typeof step === "object" ? ((step as Step).type === "Sequence" ? ((step as Step)[key] as Step[]) : [step as Step]) : [];
  const precompiled = steps(tokenizerJson.normalizer, "normalizers").find((step) => step.type === "Precompiled");
  const metaspace = steps(tokenizerJson.pre_tokenizer, "pretokenizers").find((step) => step.type === "Metaspace");
  if (metaspace === undefined) return tokenizerJson;
  return {
    ...tokenizerJson,
    normalizer: precompiled ?? null,
    pre_tokenizer: { type: "Sequence", pretokenizers: [{ type: "WhitespaceSplit" }, metaspace] },
  };
}

function parseJsonObject(text: string, file: string): Record<string, unknown> {
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new ModelLoadError(file, `is not valid JSON (${parsed.problem})`);
  const value = parsed.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ModelLoadError(file, "is not a JSON object");
  }
  return value as Record<string, unknown>;
}

/** Which special-token ids the post-processor puts before and after a single sequence. */
function specialTokenFrame(tokenizerJson: Record<string, unknown>, file: string): SpecialTokenFrame {
  const vocab = (tokenizerJson.model as { vocab: Record<string, number> }).vocab;
  const added = new Map<string, number>();
  for (const token of (tokenizerJson.added_tokens as { content: string; id: number }[] | undefined) ?? []) {
    added.set(token.content, token.id);
  }
  const idOf = (token: string): number => {
    const id = added.get(token) ?? vocab[token];
    if (id === undefined) throw new ModelLoadError(file, `post_processor names special token ${token}, which is not in the vocabulary`);
    return id;
  };
  const frameOf = (processor: Record<string, unknown> | null | undefined): SpecialTokenFrame | undefined => {
    if (!processor) return undefined;
    switch (processor.type) {
      case "TemplateProcessing": {
        const specials = (processor.special_tokens ?? {}) as Record<string, { ids: number[] }>;
        const frame: SpecialTokenFrame = { prefix: [], suffix: [] };
        let seenSequence = false;
        for (const piece of processor.single as Record<string, { id: string }>[]) {
          if ("Sequence" in piece) {
            seenSequence = true;
            continue;
          }
          const name = piece.SpecialToken.id;
          const ids = specials[name]?.ids ?? [idOf(name)];
          (seenSequence ? frame.suffix : frame.prefix).push(...ids);
        }
        return frame;
      }
      case "BertProcessing":
      case "RobertaProcessing": {
        const [, clsId] = processor.cls as [string, number];
        const [, sepId] = processor.sep as [string, number];
        return { prefix: [clsId], suffix: [sepId] };
      }
      case "Sequence":
        for (const inner of processor.processors as Record<string, unknown>[]) {
          const frame = frameOf(inner);
          if (frame) return frame;
        }
        return undefined;
      default:
        return undefined;
    }
  };
  return frameOf(tokenizerJson.post_processor as Record<string, unknown> | null) ?? { prefix: [], suffix: [] };
}
