// SequentialEvaluator (sentence-transformers): runs its evaluators one after the other with the same
// model, outputPath, epoch and steps, and returns the union of their (already name-prefixed) results, in
// evaluator order (a later evaluator's value replaces an earlier one under the same key, keeping the key's
// first position), plus
//   sequential_score = mainScoreFunction([result_k[evaluator_k.primaryMetric] for each evaluator k])
// with mainScoreFunction defaulting to the last score. primaryMetric is "sequential_score"; name is "".

import { inspect } from "node:util";
import { ArgumentError } from "../errors.ts";
import { shortMetricsInNotebook } from "../notebook/inspect.ts";
import { evaluatorSummary, resolveEvaluateOptions, type EvaluateOptions, type EvaluationModel, type SentenceEvaluator } from "./evaluator.ts";

export type MainScoreFunction = (scores: number[]) => number;

export class SequentialEvaluator implements SentenceEvaluator {
  readonly name = "";
  readonly primaryMetric = "sequential_score";
  readonly greaterIsBetter = true;
  readonly evaluators: SentenceEvaluator[];
  readonly mainScoreFunction: MainScoreFunction;

  constructor(evaluators: Iterable<SentenceEvaluator>, mainScoreFunction: MainScoreFunction = (scores) => scores.at(-1)!) {
    this.evaluators = [...evaluators];
    if (this.evaluators.length === 0) throw new ArgumentError("evaluators", "needs at least one evaluator");
    this.evaluators.forEach((evaluator, index) => {
      if (typeof evaluator?.evaluate !== "function") throw new ArgumentError(`evaluators[${index}]`, "is not an evaluator (no evaluate method)");
    });
    if (typeof mainScoreFunction !== "function") throw new ArgumentError("mainScoreFunction", "must be a function of the list of scores");
    this.mainScoreFunction = mainScoreFunction;
  }

  /** Printed as one line (evaluatorSummary), not its sentences. */
  [inspect.custom](): string {
    return evaluatorSummary(this, this.evaluators.map((evaluator) => inspect(evaluator)).join(", "));
  }

  async evaluate(model: EvaluationModel, options: EvaluateOptions = {}): Promise<Record<string, number>> {
    const resolved = resolveEvaluateOptions(options);
    const results: Record<string, number> = {};
    const scores: number[] = [];
    for (const [index, evaluator] of this.evaluators.entries()) {
      const evaluation = await evaluator.evaluate(model, resolved);
      if (!(evaluator.primaryMetric in evaluation)) {
        throw new ArgumentError(`evaluators[${index}]`, `returned no ${JSON.stringify(evaluator.primaryMetric)} (its primaryMetric)`);
      }
      scores.push(evaluation[evaluator.primaryMetric]);
      Object.assign(results, evaluation);
    }
    results.sequential_score = this.mainScoreFunction(scores);
    return shortMetricsInNotebook(results);
  }
}
