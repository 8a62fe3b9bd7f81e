from enum import Enum

from standin_record import recorded


class BatchSamplers(str, Enum):
    BATCH_SAMPLER = "batch_sampler"
    NO_DUPLICATES = "no_duplicates"
    GROUP_BY_LABEL = "group_by_label"


class MultiDatasetBatchSamplers(str, Enum):
    ROUND_ROBIN = "round_robin"
    PROPORTIONAL = "proportional"


class SentenceTransformerTrainingArguments:
    # transformers 5 TrainingArguments' fields (names and defaults) that embedtune has (no overwrite_output_dir or
    # logging_dir in 5), plus sentence-transformers 6's own (its warmup_ratio bridge included).
    @recorded
    def __init__(self, output_dir=None, do_train=False, do_eval=False, eval_strategy="no",
                 per_device_train_batch_size=8, per_device_eval_batch_size=8, gradient_accumulation_steps=1,
                 learning_rate=5e-5, weight_decay=0.0, adam_beta1=0.9, adam_beta2=0.999, adam_epsilon=1e-8,
                 max_grad_norm=1.0, num_train_epochs=3.0, max_steps=-1, lr_scheduler_type="linear", warmup_ratio=None,
                 warmup_steps=0, logging_strategy="steps", logging_first_step=False, logging_steps=500,
                 save_strategy="steps", save_steps=500, save_total_limit=None, use_cpu=False, seed=42, data_seed=None,
                 bf16=False, fp16=False, eval_steps=None, dataloader_drop_last=False, run_name=None, disable_tqdm=None,
                 load_best_model_at_end=False, metric_for_best_model=None, greater_is_better=None, report_to="none",
                 prompts=None, batch_sampler=BatchSamplers.BATCH_SAMPLER,
                 multi_dataset_batch_sampler=MultiDatasetBatchSamplers.PROPORTIONAL, router_mapping=None,
                 learning_rate_mapping=None):
        self.output_dir = output_dir
