// sentence-transformers' Pooling module: token embeddings [batch, seq, dim] + attention mask → one
// vector per sentence. Modes (concatenated in this order when several are on, as in ST):
//   cls: the first token;  max: max over real tokens (padding set to −1e9);
//   mean: Σ(token·mask) / max(Σ mask, 1e-9);  mean_sqrt_len_tokens: Σ(token·mask) / √max(Σ mask, 1e-9).
// includePrompt = false (config "include_prompt": false, as INSTRUCTOR): when a prompt length p is given,
// the mask of the first p positions is zeroed before pooling (ST: attention_mask[:, :p] = 0), so mean
// and max skip the prompt's tokens — p counts [CLS] too (see SentenceTransformer.getPromptLength), so
// [CLS] is skipped as well; cls mode still takes token 0, as in ST.
// Reads both config dialects: v3 booleans (pooling_mode_cls_token, …) and v5.4+ "pooling_mode"; writes v3
// (1_Pooling/config.json, read by every ST version). The first module of the stack (module.ts).

import * as tf from "@tensorflow/tfjs";
import { ModelLoadError } from "../../errors.ts";
import { pythonRepr } from "../model-card.ts";
import { writeModuleConfig, type ModuleFeatures, type SentenceModule } from "./module.ts";

export const POOLING_MODES = ["cls", "max", "mean", "mean_sqrt_len_tokens"] as const;
export type PoolingMode = (typeof POOLING_MODES)[number];

const BOOLEAN_KEYS: Record<PoolingMode, string> = {
  cls: "pooling_mode_cls_token",
  max: "pooling_mode_max_tokens",
  mean: "pooling_mode_mean_tokens",
  mean_sqrt_len_tokens: "pooling_mode_mean_sqrt_len_tokens",
};
const UNSUPPORTED_BOOLEAN_KEYS = ["pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"];

export class Pooling implements SentenceModule {
  readonly className = "Pooling";
  readonly modes: PoolingMode[];

  constructor(
    readonly wordEmbeddingDimension: number,
    modes: PoolingMode | PoolingMode[],
    /** false: prompt tokens are left out of the pooling (when the caller passes a prompt length). */
    public includePrompt = true,
  ) {
    const list = Array.isArray(modes) ? modes : [modes];
    this.modes = POOLING_MODES.filter((mode) => list.includes(mode));
    if (this.modes.length === 0) throw new Error("Pooling needs at least one mode");
  }

  /** Output dimension: the word embedding dimension times the number of modes. */
  get outputDimension(): number {
    return this.wordEmbeddingDimension * this.modes.length;
  }

  /** The mode as sentence-transformers names it ("cls", "mean", …), several joined with "+". */
  get modeName(): string {
    return this.modes.join("+");
  }

  /**
   * Pools `tokenEmbeddings` over the attention mask; `promptLength` (the prompt's token count with [CLS] at
   * the start of every row) is left out when includePrompt is false.
   */
  forward({ tokenEmbeddings, attentionMask, promptLength }: ModuleFeatures): tf.Tensor2D {
    return tf.tidy(() => {
      const [batchSize, seqLength, dimension] = tokenEmbeddings.shape;
      let floatMask = tf.cast(attentionMask, "float32") as tf.Tensor2D;
      if (!this.includePrompt && promptLength !== undefined && promptLength > 0) {
        const afterPrompt = tf.cast(tf.greaterEqual(tf.range(0, seqLength, 1, "int32"), promptLength), "float32");
        floatMask = tf.mul(floatMask, tf.expandDims(afterPrompt, 0)) as tf.Tensor2D;
      }
      const mask = tf.expandDims(floatMask, -1) as tf.Tensor3D;
      const outputs: tf.Tensor2D[] = [];
      let maskedSum: tf.Tensor2D | undefined;
      let tokenCount: tf.Tensor2D | undefined;
      const sumAndCount = () => {
        maskedSum ??= tf.sum(tf.mul(tokenEmbeddings, mask), 1) as tf.Tensor2D;
        tokenCount ??= tf.maximum(tf.sum(mask, 1), 1e-9) as tf.Tensor2D;
        return [maskedSum, tokenCount] as const;
      };
      for (const mode of this.modes) {
        if (mode === "cls") {
          outputs.push(tf.reshape(tf.slice(tokenEmbeddings, [0, 0, 0], [batchSize, 1, dimension]), [batchSize, dimension]));
        } else if (mode === "max") {
          const masked = tf.where(tf.cast(tf.broadcastTo(mask, tokenEmbeddings.shape), "bool"), tokenEmbeddings, tf.fill(tokenEmbeddings.shape, -1e9));
          outputs.push(tf.max(masked, 1) as tf.Tensor2D);
        } else {
          const [sum, count] = sumAndCount();
          outputs.push(tf.div(sum, mode === "mean" ? count : tf.sqrt(count)));
        }
      }
      return outputs.length === 1 ? outputs[0] : (tf.concat(outputs, 1) as tf.Tensor2D);
    });
  }

  /** 1_Pooling/config.json in the v3 dialect (what Hub models carry and every ST version reads). */
  toConfig(): Record<string, unknown> {
    // Keys in ST v3's config_keys order (cls, mean, max, mean_sqrt_len), not the concatenation order.
    return {
      word_embedding_dimension: this.wordEmbeddingDimension,
      pooling_mode_cls_token: this.modes.includes("cls"),
      pooling_mode_mean_tokens: this.modes.includes("mean"),
      pooling_mode_max_tokens: this.modes.includes("max"),
      pooling_mode_mean_sqrt_len_tokens: this.modes.includes("mean_sqrt_len_tokens"),
      pooling_mode_weightedmean_tokens: false,
      pooling_mode_lasttoken: false,
      include_prompt: this.includePrompt,
    };
  }

  trainableParameters(): Map<string, tf.Variable> {
    return new Map();
  }

  save(folder: string): void {
    writeModuleConfig(folder, this.toConfig());
  }

  /** ST v3's repr, as the model card shows it: Pooling({config}). */
  describe(): string {
    return `Pooling(${pythonRepr(this.toConfig())})`;
  }

  summary(): string {
    return `pooling ${this.modeName}`;
  }

  dispose(): void {}

  static fromConfig(json: unknown, file: string, fallbackDimension: number): Pooling {
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
      throw new ModelLoadError(file, "is not a JSON object");
    }
    const config = json as Record<string, unknown>;
    const dimension = config.word_embedding_dimension ?? config.embedding_dimension ?? fallbackDimension;
    if (typeof dimension !== "number" || !Number.isInteger(dimension) || dimension <= 0) {
      throw new ModelLoadError(file, `word_embedding_dimension must be a positive integer, got ${JSON.stringify(dimension)}`);
    }
    const includePrompt = config.include_prompt !== false;
    let modes: PoolingMode[];
    if ("pooling_mode" in config && typeof config.pooling_mode !== "boolean") {
      const names = Array.isArray(config.pooling_mode) ? config.pooling_mode : [config.pooling_mode];
      modes = names.map((name) => {
        const mode = name === "mean_sqrt_len" ? "mean_sqrt_len_tokens" : name;
        if (!POOLING_MODES.includes(mode as PoolingMode)) {
          throw new ModelLoadError(
            file,
            `pooling_mode ${JSON.stringify(name)} is not supported (embedtune supports ${POOLING_MODES.join(", ")})`,
          );
        }
        return mode as PoolingMode;
      });
    } else {
      for (const key of UNSUPPORTED_BOOLEAN_KEYS) {
        if (config[key] === true) throw new ModelLoadError(file, `${key} is not supported (embedtune supports ${POOLING_MODES.join(", ")})`);
      }
      modes = POOLING_MODES.filter((mode) => config[BOOLEAN_KEYS[mode]] === true);
    }
    if (modes.length === 0) throw new ModelLoadError(file, "no pooling mode is enabled");
    return new Pooling(dimension, modes, includePrompt);
  }
}
