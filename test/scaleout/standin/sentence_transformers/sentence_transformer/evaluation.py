from standin_record import recorded


class EmbeddingSimilarityEvaluator:
    @recorded
    def __init__(self, sentences1, sentences2, scores, batch_size=16, main_similarity=None, similarity_fn_names=None,
                 name="", show_progress_bar=False, write_csv=True, precision=None, truncate_dim=None):
        pass


class InformationRetrievalEvaluator:
    @recorded
    def __init__(self, queries, corpus, relevant_docs, corpus_chunk_size=50000, mrr_at_k=[10], ndcg_at_k=[10],
                 accuracy_at_k=[1, 3, 5, 10], precision_recall_at_k=[1, 3, 5, 10], map_at_k=[100],
                 show_progress_bar=False, batch_size=32, name="", write_csv=True, truncate_dim=None,
                 score_functions=None, main_score_function=None, query_prompt=None, query_prompt_name=None,
                 corpus_prompt=None, corpus_prompt_name=None, write_predictions=False) -> None:
        pass


class BinaryClassificationEvaluator:
    @recorded
    def __init__(self, sentences1, sentences2, labels, name="", batch_size=32, show_progress_bar=False, write_csv=True,
                 truncate_dim=None, similarity_fn_names=None):
        pass


class TripletEvaluator:
    @recorded
    def __init__(self, anchors, positives, negatives, main_similarity_function=None, margin=None, name="",
                 batch_size=16, show_progress_bar=False, write_csv=True, truncate_dim=None, similarity_fn_names=None,
                 main_distance_function="deprecated"):
        pass


class SequentialEvaluator:
    @recorded
    def __init__(self, evaluators, main_score_function=lambda scores: scores[-1]):
        pass
