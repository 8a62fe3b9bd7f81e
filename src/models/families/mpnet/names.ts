// MPNet's checkpoint names: Hugging Face MPNetModel's state_dict (what sentence-transformers saves) is the
// encoder's naming (layout.ts); checkpoints of MPNetFor* heads prefix everything with "mpnet." and add lm_head.*.
// The pooler and an old embeddings.position_ids buffer are not used by the encoder (the pooler is written back on
// save, unprefixed). Row 1 (padding_idx, hard-coded) of both embedding tables never gets a gradient.

import type { FrozenRow } from "../../../engines/architecture.ts";
import { MPNET_PADDING_INDEX } from "./config.ts";
import { MPNET_NAMES } from "./layout.ts";

export function mpnetFrozenRows(): FrozenRow[] {
  return [
    { parameter: MPNET_NAMES.word, row: MPNET_PADDING_INDEX },
    { parameter: MPNET_NAMES.position, row: MPNET_PADDING_INDEX },
  ];
}

const ENCODER_PARTS = /^(embeddings|encoder)\./;

/** A stored tensor's name without the "mpnet." prefix (how a kept pooler is saved). */
export function mpnetStoredName(stored: string): string {
  return stored.replace(/^mpnet\./, "");
}

/** A stored tensor's parameter name ("mpnet." removed), or undefined for the pooler, heads and buffers. */
export function mpnetCanonicalName(stored: string): string | undefined {
  const name = mpnetStoredName(stored);
  if (!ENCODER_PARTS.test(name) || name === "embeddings.position_ids") return undefined;
  return name;
}

/** The pooler is part of the checkpoint, never trained: written back on save. */
export function mpnetKeepsUnused(stored: string): boolean {
  return mpnetStoredName(stored).startsWith("pooler.");
}
