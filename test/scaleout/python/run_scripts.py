# Runs exported train.py scripts with the real sentence-transformers in one interpreter (each as __main__, from its
# own folder, one after the other: the import of torch and sentence-transformers is paid once), then reads back
# what test/scaleout/real-sentence-transformers.test.ts checks. argv[1]: JSON list of
#   {"script", "run": true|false, "training_args", "rows"}
# A job with "run": false was run by the test as its own `python train.py` process: its read-back waits for one
# line on stdin (the test writes it when that process has exited). Prints one JSON list, per job:
#   error          the traceback when train.py raised (then nothing else);
#   training_args  the TrainingArguments the run saved (its checkpoint's training_args.bin), as to_json_string();
#   loss, grad_norm  the loss of the first `rows` training rows and the norm of its gradient over the model's
#                  weights, as the real Trainer's first step computes it (its data collator and compute_loss) but
#                  with dropout off (model.eval()); train.py builds the model, loss and data itself: it runs again
#                  up to trainer.train(), which is replaced by a stop, so nothing is trained or saved then.
import json
import os
import runpy
import sys
import traceback

import torch

from sentence_transformers import SentenceTransformerTrainer


def run_script(script):
    os.chdir(os.path.dirname(script))
    runpy.run_path(script, run_name="__main__")


class StopBeforeTraining(Exception):
    pass


def first_rows(script, rows):
    captured = {}

    def stop_before_training(trainer, *args, **kwargs):
        captured["trainer"] = trainer
        raise StopBeforeTraining()

    train = SentenceTransformerTrainer.train
    SentenceTransformerTrainer.train = stop_before_training
    try:
        run_script(script)
    except StopBeforeTraining:
        pass
    finally:
        SentenceTransformerTrainer.train = train
    trainer = captured["trainer"]
    model = trainer.model
    model.eval()
    batch = trainer.data_collator([trainer.train_dataset[index] for index in range(rows)])
    loss = trainer.compute_loss(model, batch)
    loss.backward()
    squares = sum(float((parameter.grad.double() ** 2).sum()) for parameter in model.parameters() if parameter.grad is not None)
    return {"loss": loss.item(), "grad_norm": squares ** 0.5}


jobs = json.loads(sys.argv[1])
results = [{} for _ in jobs]
for job, result in zip(jobs, results):
    if job["run"]:
        try:
            run_script(job["script"])
        except Exception:
            result["error"] = traceback.format_exc()
if any(not job["run"] for job in jobs):
    sys.stdin.readline()
for job, result in zip(jobs, results):
    if "error" in result:
        continue
    saved_arguments = torch.load(job["training_args"], weights_only=False)
    result["training_args"] = json.loads(saved_arguments.to_json_string())
    result.update(first_rows(job["script"], job["rows"]))
print(json.dumps(results))
