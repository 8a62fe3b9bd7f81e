// `embedtune tutorial` (npm start): sentence-transformers' fine-tuning tutorial, step for step, on the
// embedded default model and the project's pair-score data (or --model / --data): load the model,
// read the data, CoSENTLoss, the tutorial's arguments, evaluate before, train, evaluate the test split,
// save the final model. --output is checked (writable, not in use by another run) before the model
// loads; Ctrl-C or SIGTERM stops training after the current step with a checkpoint and exits 130 / 143.

import { join } from "node:path";
import {
  DEFAULT_DATA_DIRECTORY,
  DEFAULT_MODEL_TRAINING,
  devSplit,
  evaluate,
  loadPairScore,
  pickLoss,
  save,
  similarityEvaluator,
  train,
  tutorialArguments,
} from "../steps.ts";
import { openOutputFolder } from "../training/output-directory.ts";
import { formatMetrics } from "../util/format.ts";
import { SIGNAL_EXIT_CODES } from "../util/interruption.ts";
import type { Command } from "./main.ts";
import { integerOption, loadModelOption, type OptionValues, MODEL_OPTIONS, MODEL_USAGE } from "./options.ts";

export const tutorialCommand: Command = {
  summary: "run the sentence-transformers fine-tuning tutorial: evaluate, train with CoSENTLoss, test, save",
  usage: `embedtune tutorial ${MODEL_USAGE} [--data DIR] [--output DIR] [--epochs N] [--learning-rate X] [--batch-size N]`,
  options: {
    ...MODEL_OPTIONS,
    data: { type: "string" },
    output: { type: "string" },
    epochs: { type: "string" },
    "learning-rate": { type: "string" },
    "batch-size": { type: "string" },
  },
  async run(values) {
    const outputDir = typeof values.output === "string" ? values.output : "models/embedtune-tutorial";
    const folder = openOutputFolder(outputDir, "--output");
    try {
      await runTutorial(values, outputDir);
    } finally {
      folder.release();
    }
  },
};

async function runTutorial(values: OptionValues, outputDir: string): Promise<void> {
  const usingDefault = typeof values.model !== "string";
  const model = await loadModelOption(values);
  console.log(`1. model: ${model}`);
  const dataDirectory = typeof values.data === "string" ? values.data : DEFAULT_DATA_DIRECTORY;
  const dataset = await loadPairScore(dataDirectory);
  console.log(`2. data (${dataDirectory}): ${dataset}`);
  const loss = pickLoss(model, "CoSENTLoss");
  console.log(`3. loss: ${loss.name} ${JSON.stringify(loss.getConfigDict())}`);
  const learningRate = values["learning-rate"] !== undefined ? Number(values["learning-rate"]) : undefined;
  const args = tutorialArguments({
    outputDir,
    ...(usingDefault ? DEFAULT_MODEL_TRAINING : {}),
    ...(integerOption(values, "epochs") !== undefined ? { numTrainEpochs: integerOption(values, "epochs") } : {}),
    ...(learningRate !== undefined ? { learningRate } : {}),
    ...(integerOption(values, "batch-size") !== undefined ? { perDeviceTrainBatchSize: integerOption(values, "batch-size") } : {}),
  });
  console.log(`4. arguments: ${JSON.stringify(args.nonDefault())}`);
  const dev = devSplit(dataset);
  const devEvaluator = similarityEvaluator(dev, "sts-dev");
  console.log(formatMetrics(await evaluate(model, devEvaluator), "5. dev evaluation before training:"));
  const testEvaluator = similarityEvaluator(dataset.has("test") ? dataset.test : dev, "sts-test");
  const before = await evaluate(model, testEvaluator);
  console.log("6. training");
  const { output } = await train({ model, args, trainDataset: dataset.train, evalDataset: dev, loss, evaluator: devEvaluator });
  if (output.interrupted) {
    // The trainer printed where the checkpoint is; no final model from an unfinished run.
    model.dispose();
    process.exit(output.signal ? SIGNAL_EXIT_CODES[output.signal] : 130);
  }
  const after = await evaluate(model, testEvaluator);
  console.log(formatMetrics(after, "7. test evaluation after training:"));
  const key = "sts-test_spearman_cosine";
  console.log(`   test spearman_cosine: ${before[key].toFixed(4)} before → ${after[key].toFixed(4)} after training`);
  const finalDirectory = join(outputDir, "final");
  await save(model, finalDirectory);
  console.log(`8. saved the final model to ${finalDirectory}`);
  model.dispose();
}
