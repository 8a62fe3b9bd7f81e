// Every loss, under sentence-transformers' class names, with their option types and the distance enums.

export type { Loss, LossContext } from "./loss.ts";
export { CoSENTLoss, type CoSENTLossOptions } from "./cosent.ts";
export { AnglELoss, pairwiseAngleSimilarity, type AnglELossOptions } from "./angle.ts";
export { CosineSimilarityLoss, type CosineSimilarityLossFunction, type CosineSimilarityLossOptions } from "./cosine-similarity.ts";
export { MultipleNegativesRankingLoss, type MultipleNegativesRankingLossOptions } from "./multiple-negatives-ranking.ts";
export {
  MultipleNegativesSymmetricRankingLoss,
  type MultipleNegativesSymmetricRankingLossOptions,
} from "./multiple-negatives-symmetric-ranking.ts";
export { TripletDistanceMetric, TripletLoss, checkTripletDistanceMetric, type TripletLossOptions } from "./triplet.ts";
export { ContrastiveLoss, SiameseDistanceMetric, checkSiameseDistanceMetric, type ContrastiveLossOptions } from "./contrastive.ts";
export { OnlineContrastiveLoss, type OnlineContrastiveLossOptions } from "./online-contrastive.ts";
export { SoftmaxLoss, type SoftmaxLossOptions } from "./softmax.ts";
export { MatryoshkaLoss, type MatryoshkaLossOptions } from "./matryoshka.ts";
export { CachedMultipleNegativesRankingLoss, type CachedMultipleNegativesRankingLossOptions } from "./cached-multiple-negatives-ranking.ts";
export {
  CachedMultipleNegativesSymmetricRankingLoss,
  type CachedMultipleNegativesSymmetricRankingLossOptions,
} from "./cached-multiple-negatives-symmetric-ranking.ts";
export { GISTEmbedLoss, type GISTEmbedLossOptions, type GISTMarginStrategy } from "./gist-embed.ts";
export { CachedGISTEmbedLoss, type CachedGISTEmbedLossOptions } from "./cached-gist-embed.ts";
