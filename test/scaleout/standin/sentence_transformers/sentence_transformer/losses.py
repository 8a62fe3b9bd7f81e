from standin_record import recorded

from .. import util


def _member(owner, name):
    def distance(x, y): ...
    distance.__qualname__ = f"{owner}.{name}"
    return distance


class SiameseDistanceMetric:
    EUCLIDEAN = _member("SiameseDistanceMetric", "EUCLIDEAN")
    MANHATTAN = _member("SiameseDistanceMetric", "MANHATTAN")
    COSINE_DISTANCE = _member("SiameseDistanceMetric", "COSINE_DISTANCE")


class TripletDistanceMetric:
    COSINE = _member("TripletDistanceMetric", "COSINE")
    EUCLIDEAN = _member("TripletDistanceMetric", "EUCLIDEAN")
    MANHATTAN = _member("TripletDistanceMetric", "MANHATTAN")


class CoSENTLoss:
    @recorded
    def __init__(self, model, scale: float = 20.0, similarity_fct=util.pairwise_cos_sim) -> None: ...


class AnglELoss:
    @recorded
    def __init__(self, model, scale: float = 20.0) -> None: ...


class CosineSimilarityLoss:
    @recorded
    def __init__(self, model, loss_fct=None, cos_score_transformation=None) -> None: ...


class MultipleNegativesRankingLoss:
    @recorded
    def __init__(self, model, scale: float = 20.0, similarity_fct=util.cos_sim, gather_across_devices: bool = False,
                 directions=("query_to_doc",), partition_mode="joint", hardness_mode=None,
                 hardness_strength: float = 0.0) -> None: ...


class MultipleNegativesSymmetricRankingLoss:
    @recorded
    def __init__(self, model, scale: float = 20.0, similarity_fct=util.cos_sim, gather_across_devices: bool = False) -> None: ...


class CachedMultipleNegativesRankingLoss:
    @recorded
    def __init__(self, model, scale: float = 20.0, similarity_fct=util.cos_sim, mini_batch_size: int = 32,
                 mini_batch_num_tokens=None, gather_across_devices: bool = False, directions=("query_to_doc",),
                 partition_mode="joint", show_progress_bar: bool = False, hardness_mode=None,
                 hardness_strength: float = 0.0) -> None: ...


class CachedMultipleNegativesSymmetricRankingLoss:
    @recorded
    def __init__(self, model, scale: float = 20.0, similarity_fct=util.cos_sim, mini_batch_size: int = 32,
                 mini_batch_num_tokens=None, gather_across_devices: bool = False,
                 show_progress_bar: bool = False) -> None: ...


class ContrastiveLoss:
    @recorded
    def __init__(self, model, distance_metric=SiameseDistanceMetric.COSINE_DISTANCE, margin: float = 0.5,
                 size_average: bool = True) -> None: ...


class OnlineContrastiveLoss:
    @recorded
    def __init__(self, model, distance_metric=SiameseDistanceMetric.COSINE_DISTANCE, margin: float = 0.5) -> None: ...


class TripletLoss:
    @recorded
    def __init__(self, model, distance_metric=TripletDistanceMetric.EUCLIDEAN, triplet_margin: float = 5) -> None: ...


class SoftmaxLoss:
    @recorded
    def __init__(self, model, embedding_dimension: int, num_labels: int, concatenation_sent_rep: bool = True,
                 concatenation_sent_difference: bool = True, concatenation_sent_multiplication: bool = False,
                 loss_fct=None) -> None: ...


class MatryoshkaLoss:
    @recorded
    def __init__(self, model, loss, matryoshka_dims, matryoshka_weights=None, n_dims_per_step: int = -1) -> None: ...


class GISTEmbedLoss:
    @recorded
    def __init__(self, model, guide, temperature: float = 0.01, margin_strategy="absolute", margin: float = 0.0,
                 contrast_anchors: bool = True, contrast_positives: bool = True, gather_across_devices: bool = False) -> None: ...


class CachedGISTEmbedLoss:
    @recorded
    def __init__(self, model, guide, temperature: float = 0.01, mini_batch_size: int = 32, mini_batch_num_tokens=None,
                 show_progress_bar: bool = False, margin_strategy="absolute", margin: float = 0.0, contrast_anchors: bool = True,
                 contrast_positives: bool = True, gather_across_devices: bool = False) -> None: ...
