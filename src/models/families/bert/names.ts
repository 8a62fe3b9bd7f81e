// BERT checkpoints' tensor names → the encoder's: the "bert." prefix of BertFor* heads removed, old
// LayerNorm gamma/beta spelled weight/bias. The pooler, MLM/NSP heads ("cls.") and the position_ids
// buffer are not the encoder's; the pooler is kept and written back on save.

const PREFIX = /^bert\./;

/** The name without the model prefix, LayerNorm gamma/beta as weight/bias. */
export function bertStoredName(stored: string): string {
  return stored.replace(PREFIX, "").replace(/LayerNorm\.gamma$/, "LayerNorm.weight").replace(/LayerNorm\.beta$/, "LayerNorm.bias");
}

const UNUSED = /^(pooler\.|cls\.|embeddings\.position_ids$)/;

export function bertCanonicalName(stored: string): string | undefined {
  const name = bertStoredName(stored);
  return UNUSED.test(name) ? undefined : name;
}

export function bertKeepsUnused(stored: string): boolean {
  return bertStoredName(stored).startsWith("pooler.");
}
