// requirements.txt and README.md of an exported script folder. The version ranges, and why:
//   sentence-transformers >=4.1,<6   GISTEmbedLoss's margin_strategy/margin arrived in 4.1.0 (every other loss,
//                                    BatchSamplers, prompts and the evaluators' arguments are older); 6 may change them
//   transformers >=4.41,<5           eval_strategy is 4.41's name; transformers 5 renamed or removed arguments the
//                                    script uses (warmup_ratio and logging_dir are gone in 5.15) and changed report_to's
//                                    default; sentence-transformers 5.x itself requires <5
//   accelerate >=0.26                the Trainer's multi-GPU and mixed-precision engine (transformers 4.41 needs ≥0.21)
//   datasets >=2.19                  load_dataset("parquet", data_files=…) of local files
//   torch >=2.1                      CUDA 12 wheels and bf16 autocast on current GPUs (sentence-transformers accepts ≥1.11)
// The README gives the launch lines (one GPU, accelerate, torchrun, several machines) and what changes with N GPUs.

import type { SentenceTransformerTrainingArguments } from "../training/arguments.ts";
import { describeReference, type ModelReference } from "./model-reference.ts";

export const REQUIREMENTS = [
  "sentence-transformers>=4.1,<6",
  "transformers>=4.41,<5",
  "accelerate>=0.26",
  "datasets>=2.19",
  "torch>=2.1",
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
    "## What changes with N GPUs",
    "",
    `- Each GPU takes its own batch of \`per_device_train_batch_size\` = ${batch} rows: one optimizer step sees ${batch} × N` +
      `${accumulation > 1 ? ` × ${accumulation} (gradient_accumulation_steps) = ${perStep} × N` : ""} rows, so an epoch has about N times fewer steps`,
    "  than the embedtune run, and `eval_steps`, `save_steps`, `logging_steps` and `warmup_steps` (counted in steps) come N times",
    "  later in the data; `warmup_ratio` keeps its share.",
    "- The learning rate is not changed. A larger batch often tolerates (or needs) a larger rate — a common start is",
    "  scaling it by √N or N and checking the evaluator — but the script keeps the run's value: change `learning_rate`",
    "  yourself, or divide `per_device_train_batch_size` by N to keep the run's batch exactly.",
    ...(inBatchNegatives
      ? [
          `- ${inBatchNegatives} uses the other rows of the batch as negatives: on N GPUs each one sees only its own ${batch} rows`,
          "  unless you pass `gather_across_devices=True` to the loss (sentence-transformers ≥ 5.1).",
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
