// ModernBertModel's parameters by their Hugging Face names (bias entries only where the config's flags
// say), which checkpoint tensors map to them, and the frozen embedding row (nn.Embedding's padding_idx =
// pad_token_id). Layer 0 has no attn_norm (nn.Identity). MaskedLM checkpoints prefix "model." and add
// head.* and decoder.* (the LM head), which the encoder does not use.

import type { FrozenRow, ParameterSpec } from "../../../engines/architecture.ts";
import type { ModernBertConfig } from "./config.ts";

export const TOKEN_EMBEDDINGS = "embeddings.tok_embeddings.weight";

export function modernBertParameters(config: ModernBertConfig): ParameterSpec[] {
  const h = config.hiddenSize;
  const specs: ParameterSpec[] = [{ name: TOKEN_EMBEDDINGS, torchShape: [config.vocabSize, h], linear: false }];
  const norm = (name: string) => {
    specs.push({ name: `${name}.weight`, torchShape: [h], linear: false });
    if (config.normBias) specs.push({ name: `${name}.bias`, torchShape: [h], linear: false });
  };
  const linear = (name: string, inSize: number, outSize: number, bias: boolean) => {
    specs.push({ name: `${name}.weight`, torchShape: [outSize, inSize], linear: true });
    if (bias) specs.push({ name: `${name}.bias`, torchShape: [outSize], linear: false });
  };
  norm("embeddings.norm");
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const p = `layers.${i}`;
    if (i > 0) norm(`${p}.attn_norm`);
    linear(`${p}.attn.Wqkv`, h, 3 * h, config.attentionBias);
    linear(`${p}.attn.Wo`, h, h, config.attentionBias);
    norm(`${p}.mlp_norm`);
    linear(`${p}.mlp.Wi`, h, 2 * config.intermediateSize, config.mlpBias);
    linear(`${p}.mlp.Wo`, config.intermediateSize, h, config.mlpBias);
  }
  norm("final_norm");
  return specs;
}

export function modernBertFrozenRows(config: ModernBertConfig): FrozenRow[] {
  return config.padTokenId < config.vocabSize ? [{ parameter: TOKEN_EMBEDDINGS, row: config.padTokenId }] : [];
}

export function modernBertCanonicalName(stored: string): string | undefined {
  const name = stored.startsWith("model.") ? stored.slice("model.".length) : stored;
  if (name.startsWith("head.") || name.startsWith("decoder.")) return undefined;
  return name;
}
