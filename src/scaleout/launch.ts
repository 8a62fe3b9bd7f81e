// requirements.txt and README.md of an exported script folder. The version ranges (verified: train.py runs
// to the end, also under torchrun with 2 processes, with sentence-transformers 6.0.1, transformers 5.18, accelerate
// 1.15, datasets 5.0.1, torch 2.13 — test/scaleout/real-*.test.ts):
//   sentence-transformers >=6.0,<7   6.0.1 requires transformers >=5,<6, which the script needs; 5.x requires <5 (its
//                                    pyproject); the sentence_transformers.sentence_transformer.* imports exist since
//                                    5.4 and SoftmaxLoss's embedding_dimension in 6.0.1 (sentence_embedding_dimension
//                                    is a deprecated alias there)
//   transformers >=5.0,<6            sentence-transformers 6's own range; the script relies on 5's warmup_steps below 1
//                                    as a ratio (warmup_ratio deprecated) and TENSORBOARD_LOGGING_DIR (no logging_dir
//                                    field), both read in the 5.17 and 5.18 sources
//   accelerate >=1.3                 sentence-transformers 6's [train] extra (the Trainer's multi-GPU engine)
//   datasets >=2.16                  the same extra; load_dataset("parquet", data_files=…) of local files
//   torch >=2.2                      what sentence-transformers 6 requires
// The README gives the launch lines (one GPU, accelerate, torchrun, several machines) and what changes with N GPUs.

import type { SentenceTransformerTrainingArguments } from "../training/arguments.ts";
import { describeReference, type ModelReference } from "./model-reference.ts";

export const REQUIREMENTS = [
  "sentence-transformers>=6.0,<7",
  "transformers>=5.0,<6",
  "accelerate>=1.3",
  "datasets>=2.16",
  "torch>=2.2",
];

export function requirementsText(): string {
  return `${REQUIREMENTS.join("\n")}\n`;
}

/** README.md of the exported folder. */
export function launchReadme(parts: {
  model: ModelReference;
  args: SentenceTransformerTrainingArguments;
  trainRows: number;
  evalRows?: number;
  /** The loss's class name and those of the losses it wraps (MatryoshkaLoss(MultipleNegativesRankingLoss)). */
  lossNames: readonly string[];
  evaluatorNames: readonly string[];
}): string {
  const { args } = parts;
  const batch = args.perDeviceTrainBatchSize;
  const accumulation = args.gradientAccumulationSteps;
  const perStep = batch * accumulation;
  const lossName = parts.lossNames.join("(") + ")".repeat(parts.lossNames.length - 1);
  const inBatchNegatives = parts.lossNames.find((name) => /MultipleNegatives|GIST/.test(name));
  const local = "path" in parts.model;
  return [
    "# Training script exported by embedtune",
    "",
    `\`train.py\` runs the embedtune run into \`${args.outputDir}\` again with sentence-transformers' own classes:`,
    `the model \`${describeReference(parts.model)}\`, the run's data (\`data/train.parquet\`, ${parts.trainRows} rows` +
      `${parts.evalRows !== undefined ? `; \`data/eval.parquet\`, ${parts.evalRows} rows` : ""}), ${lossName}` +
      `${parts.evaluatorNames.length > 0 ? `, ${parts.evaluatorNames.join(", ")} (inputs in \`data/evaluator-*.json\`)` : ""}` +
      `, every training argument and the seed. The final model lands in \`${args.outputDir}/final\`, in the sentence-transformers layout that`,
    "`embedtune` loads back (`--model DIR`, `SentenceTransformer.load(dir)`). Comments at the top of `train.py` say what",
    "Python does not do exactly as embedtune did.",
    ...(local ? ["", `The model is a local folder: copy it to the GPU machine too and change the path in \`train.py\`.`] : []),
    "",
    `\`output_dir\` is the embedtune run's (\`${args.outputDir}\`): on the machine that ran it, change it first — Hugging Face's`,
    "`checkpoint-N` folders would land over embedtune's.",
    "",
    "## Set-up",
    "",
    "```sh",
    "python -m venv .venv && . .venv/bin/activate",
    "pip install -r requirements.txt    # torch for your CUDA: https://pytorch.org/get-started/locally/",
    "```",
    "",
    "## Launch",
    "",
    "```sh",
    "python train.py                                   # one GPU (or CPU); CUDA_VISIBLE_DEVICES=1 python train.py picks GPU 1",
    "accelerate launch --num_processes N train.py      # N GPUs on this machine (DDP through accelerate)",
    "torchrun --nproc_per_node N train.py              # the same with PyTorch's own launcher (DDP)",
    "",
    "# two machines with 8 GPUs each: run on each machine, --node_rank 0 on the one at --master_addr, 1 on the other",
    "torchrun --nnodes 2 --nproc_per_node 8 --node_rank 0 --master_addr 10.0.0.1 --master_port 29500 train.py",
    "```",
    "",
    "Trying the several-process lines on a machine without a GPU: add `use_cpu=True` to the arguments in `train.py` (the",
    'embedtune run\'s `device: "cpu"` writes it) — without it transformers 5 runs torchrun\'s N processes as N separate trainings.',
    "",
    "## What changes with N GPUs",
    "",
    `- Each GPU takes its own batch of \`per_device_train_batch_size\` = ${batch} rows: one optimizer step sees ${batch} × N` +
      `${accumulation > 1 ? ` × ${accumulation} (gradient_accumulation_steps) = ${perStep} × N` : ""} rows, so an epoch has about N times fewer steps`,
    "  than the embedtune run, and `eval_steps`, `save_steps`, `logging_steps` and `warmup_steps` (counted in steps) come N times",
    "  later in the data; a `warmup_steps` below 1 (a ratio) keeps its share.",
    "- The learning rate is not changed. A larger batch often tolerates (or needs) a larger rate — a common start is",
    "  scaling it by √N or N and checking the evaluator — but the script keeps the run's value: change `learning_rate`",
    "  yourself, or divide `per_device_train_batch_size` by N to keep the run's batch exactly.",
    ...(inBatchNegatives
      ? [
          `- ${inBatchNegatives} uses the other rows of the batch as negatives: on N GPUs each one sees only its own ${batch} rows`,
          "  unless you pass `gather_across_devices=True` to the loss.",
        ]
      : []),
    "- With N processes the samplers, the data order and dropout differ from embedtune's: the same recipe, not the same",
    "  numbers step for step (nor between 1 and N GPUs in Python).",
    "",
    "## Back in embedtune",
    "",
    "```sh",
    `npx embedtune evaluate --model ${args.outputDir}/final --data <pairs.parquet>     # or encode, demo, export-onnx, a further run`,
    "```",
    "",
  ].join("\n");
}
