from standin_record import note, recorded

from . import losses, util  # noqa: F401
from .training_args import SentenceTransformerTrainingArguments  # noqa: F401


class SentenceTransformer:
    @recorded
    def __init__(self, model_name_or_path=None, modules=None, device=None, prompts=None, default_prompt_name=None,
                 similarity_fn_name=None, cache_folder=None, trust_remote_code=False, revision=None,
                 local_files_only=False, token=None, use_auth_token=None, truncate_dim=None, model_kwargs=None,
                 tokenizer_kwargs=None, config_kwargs=None, model_card_data=None, backend="torch") -> None:
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
                 data_collator=None, tokenizer=None, model_init=None, compute_metrics=None, callbacks=None,
                 optimizers=(None, None), preprocess_logits_for_metrics=None) -> None:
        pass

    def train(self, resume_from_checkpoint=None, trial=None, ignore_keys_for_eval=None, **kwargs):
        note({"train": True})

    def is_world_process_zero(self):
        return True
