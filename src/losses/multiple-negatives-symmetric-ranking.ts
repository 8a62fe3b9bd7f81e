// MultipleNegativesSymmetricRankingLoss (sentence-transformers v3.4.1, scale 20): MultipleNegativesRankingLoss
// plus the backward direction "given a positive, find its anchor among all anchors".
// With S = scale · sim(A, concat(P, N_1, …)) as in MNRL ([B, B·(k+1)]):
//   forward  = mean_i [ logsumexp_j S_ij − S_ii ]                 (anchor → every positive and hard negative)
//   backward = mean_i [ logsumexp_j S_ji − S_ii ], j over the B anchors   (CE on S[:, 0:B]ᵀ: positive → anchors)
//   loss = (forward + backward) / 2
// Hard negatives enter only the forward term. Inputs: (anchor, positive[, negative…]); labels are ignored.

import * as tf from "@tensorflow/tfjs";
import { checkColumns, crossEntropyToDiagonal } from "./functional.ts";
import { MultipleNegativesRankingLoss } from "./multiple-negatives-ranking.ts";

export { type MultipleNegativesRankingLossOptions as MultipleNegativesSymmetricRankingLossOptions } from "./multiple-negatives-ranking.ts";

export class MultipleNegativesSymmetricRankingLoss extends MultipleNegativesRankingLoss {
  override readonly name: string = "MultipleNegativesSymmetricRankingLoss";

  override computeLoss(embeddings: tf.Tensor2D[], _labels?: tf.Tensor1D): tf.Scalar {
    checkColumns(this.name, embeddings, { min: 2, max: Infinity, describe: "(anchor, positive[, negative_1, …])" });
    return tf.tidy(() => {
      const scores = this.scores(embeddings);
      const batch = embeddings[0].shape[0];
      const forward = crossEntropyToDiagonal(scores);
      const backward = crossEntropyToDiagonal(tf.transpose(tf.slice(scores, [0, 0], [batch, batch])));
      return tf.div(tf.add(forward, backward), 2);
    });
  }
}
