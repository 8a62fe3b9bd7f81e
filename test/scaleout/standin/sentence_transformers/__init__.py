from standin_record import note, recorded

from . import util  # noqa: F401
from .sentence_transformer.training_args import SentenceTransformerTrainingArguments  # noqa: F401


class SentenceTransformer:
    @recorded
    def __init__(self, model_name_or_path=None, modules=None, device=None, prompts=None, default_prompt_name=None,
                 cache_folder=None, trust_remote_code=False, revision=None, local_files_only=False, token=None,
                 use_auth_token=None, model_kwargs=None, processor_kwargs=None, config_kwargs=None,
                 model_card_data=None, backend="torch", similarity_fn_name=None, truncate_dim=None) -> None:
        pass

    @property
    def max_seq_length(self):
        return self.standin_record.get("max_seq_length")

    @max_seq_length.setter
    def max_seq_length(self, value):
        note({"max_seq_length": value})

    def save_pretrained(self, path, model_name=None, create_model_card=True, train_datasets=None, safe_serialization=True):
        note({"save_pretrained": path})


class SentenceTransformerTrainer:
    @recorded
    def __init__(self, model=None, args=None, train_dataset=None, eval_dataset=None, loss=None, evaluator=None,
                 data_collator=None, processing_class=None, model_init=None, compute_metrics=None, callbacks=None,
                 optimizers=(None, None), optimizer_cls_and_kwargs=None, preprocess_logits_for_metrics=None) -> None:
        pass

    def train(self, resume_from_checkpoint=None, trial=None, ignore_keys_for_eval=None):
        note({"train": True})

    def is_world_process_zero(self):
        return True
