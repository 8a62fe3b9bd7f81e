// config.json of an MPNet model (model_type "mpnet"), read as the post-LN families read theirs (bert/config.ts:
// MPNetConfig's defaults are BERT's where it matters — layer_norm_eps 1e-12 where checkpoints say 1e-5,
// max_position_embeddings 512 where they say 514). No type_vocab_size: MPNet has no token types. Positions are RoBERTa's (padding_idx 1 + running count),
// so the longest sequence is max_position_embeddings − 2. padTokenId is the embeddings' padding_idx, which
// MPNetEmbeddings hard-codes to 1 whatever config.json's pad_token_id says (that one is written back as read).
// The relative attention bias table has relative_attention_num_buckets rows, of which Hugging Face uses the first
// 32 (it passes the default 32).

import { longestSequence, type PostLnConfig } from "../post-ln-encoder/layout.ts";
import { ModelLoadError } from "../../../errors.ts";
import { parsePostLnConfig, postLnConfigJson } from "../bert/config.ts";
import { RELATIVE_BUCKETS } from "./relative-position.ts";

/** nn.Embedding's padding_idx of both embedding tables, hard-coded in MPNetEmbeddings. */
export const MPNET_PADDING_INDEX = 1;

export interface MpnetConfig extends PostLnConfig {
  /** Rows of encoder.relative_attention_bias.weight (≥ 32; buckets 0..31 are used). */
  relativeAttentionNumBuckets: number;
}

export function parseMpnetConfig(raw: Record<string, unknown>, file: string): MpnetConfig {
  const postLn = parsePostLnConfig(raw, file, { modelType: "mpnet", padTokenId: MPNET_PADDING_INDEX, positions: "padding-offset" });
  const buckets = raw.relative_attention_num_buckets ?? RELATIVE_BUCKETS;
  if (typeof buckets !== "number" || !Number.isInteger(buckets) || buckets < RELATIVE_BUCKETS) {
    throw new ModelLoadError(file, `relative_attention_num_buckets must be an integer of at least ${RELATIVE_BUCKETS}, got ${JSON.stringify(buckets)}`);
  }
  return {
    ...postLn,
    typeVocabSize: 0,
    padTokenId: MPNET_PADDING_INDEX,
    maxSequenceLength: longestSequence("padding-offset", postLn.maxPositionEmbeddings, MPNET_PADDING_INDEX),
    relativeAttentionNumBuckets: buckets,
  };
}

/** config.json as Hugging Face writes it: the post-LN keys without token types, the bucket count, pad_token_id as read. */
export function mpnetConfigJson(config: MpnetConfig): Record<string, unknown> {
  const { type_vocab_size: _types, position_embedding_type: _positions, ...json } = postLnConfigJson(config, "MPNetModel");
  return {
    ...json,
    relative_attention_num_buckets: config.relativeAttentionNumBuckets,
    pad_token_id: config.raw.pad_token_id ?? MPNET_PADDING_INDEX,
  };
}
