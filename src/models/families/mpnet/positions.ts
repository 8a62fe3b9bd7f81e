// MPNet's position ids (fairseq/RoBERTa style, from the token ids, not the attention mask):
//   m = (id ≠ 1),  pos = cumsum(m) · m + 1
// so a row of n real tokens gets 2..n+1 and every <pad> (id 1, also a literal one inside a sequence) gets 1 and
// does not advance the count. padding_idx is hard-coded 1 in MPNetEmbeddings (not config.pad_token_id).

export const MPNET_PADDING_INDEX = 1;

/** Position ids of a row-major [batchSize, seqLength] batch of token ids. */
export function mpnetPositionIds(inputIds: Int32Array, batchSize: number, seqLength: number): Int32Array {
  const positions = new Int32Array(batchSize * seqLength);
  for (let row = 0; row < batchSize; row++) {
    let count = 0;
    for (let column = 0; column < seqLength; column++) {
      const index = row * seqLength + column;
      const real = inputIds[index] !== MPNET_PADDING_INDEX;
      if (real) count += 1;
      positions[index] = real ? count + MPNET_PADDING_INDEX : MPNET_PADDING_INDEX;
    }
  }
  return positions;
}
