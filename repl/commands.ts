// The REPL's dot-commands: .help, .load [model dir], .data <parquet|csv|jsonl|json file> (into `ds`
// and `df`), .plot <number array | metric of the last training run>, .history [n], .clear, .trace,
// .exit. A mistake (unknown command, missing argument, a file that cannot be read) is one error line.

import { extname } from "node:path";
import { EMBEDTUNE_VERSION } from "../src/version.ts";
import type { Evaluation, Scope } from "./evaluator.ts";
import type { History } from "./history.ts";
import type { Kit } from "./kit.ts";
import type { Output } from "./output.ts";
import { renderLineChart } from "./render/chart.ts";
import { errorTrace } from "./render/error.ts";
import type { TrainingMonitor } from "./training-monitor.ts";

export interface CommandContext {
  readonly scope: Scope;
  readonly history: History;
  readonly monitor: TrainingMonitor;
  readonly output: Output;
  readonly lastError: unknown;
  width(): number;
  kit(): Promise<Kit>;
  evaluate(source: string): Promise<Evaluation>;
  render(value: unknown): string[];
  /** Clears the terminal (the terminal app only) and any unfinished multi-line input. */
  clear(): void;
}

/** A command's own mistake: shown as one error line, like an evaluation error. */
export class CommandError extends Error {
  override name = "CommandError";
}

interface Command {
  usage: string;
  summary: string;
  run(context: CommandContext, argument: string): Promise<"done" | "exit">;
}

const HISTORY_SHOWN = 30;

const COMMANDS: Record<string, Command> = {
  ".help": { usage: ".help", summary: "this list", run: help },
  ".load": { usage: ".load [dir or Hub id]", summary: "load a model into `model` (a folder, or a Hub id through Python's cache; none: the embedded default model)", run: load },
  ".data": { usage: ".data <file>", summary: "read a parquet, csv, jsonl or json file into `ds` (a Dataset) and `df` (a danfo DataFrame)", run: data },
  ".plot": { usage: ".plot <array | metric>", summary: "chart a number array, or a metric of the last training run (loss, eval_…)", run: plot },
  ".history": { usage: ".history [n]", summary: `the last inputs (${HISTORY_SHOWN}, or n)`, run: history },
  ".clear": { usage: ".clear", summary: "clear the screen and any unfinished multi-line input (variables stay)", run: clear },
  ".trace": { usage: ".trace", summary: "the full stack of the last error", run: trace },
  ".exit": { usage: ".exit", summary: "leave the REPL (also Ctrl-D, or Ctrl-C twice at an empty prompt)", run: async () => "exit" },
};

export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

export async function runCommand(context: CommandContext, line: string): Promise<"done" | "exit"> {
  const [, name, argument = ""] = /^\s*(\.\S+)\s*(.*?)\s*$/.exec(line) ?? [];
  const command = COMMANDS[name];
  if (!command) throw new CommandError(`${name} is not a command (.help lists them)`);
  return command.run(context, argument);
}

async function help(context: CommandContext): Promise<"done"> {
  const width = Math.max(...Object.values(COMMANDS).map((command) => command.usage.length));
  context.output({
    tone: "note",
    lines: [
      `embedtune ${EMBEDTUNE_VERSION} REPL: TypeScript with top-level await; every export of embedtune and the step`,
      "functions are in scope (loadModel, loadPairScore, devSplit, pickLoss, tutorialArguments, similarityEvaluator,",
      "evaluate, train, save, …), and all of them under `embedtune.`. A `const` stays for the next input.",
      "",
      ...Object.values(COMMANDS).map((command) => `  ${command.usage.padEnd(width)}  ${command.summary}`),
      "",
      "Keys: ↑ ↓ history · Tab completes names and properties · an unfinished expression continues on the next line",
      "      Ctrl-C stops training at the next step (a checkpoint is saved) or abandons a running input;",
      "      at the prompt it clears the line, and twice on an empty line it exits · Ctrl-L clears the screen",
      "",
      "Example: const model = await loadModel(), data = await loadPairScore()",
      '         const ev = similarityEvaluator(devSplit(data), "sts-dev"); await evaluate(model, ev)',
      "         await train({ model, trainDataset: data.train, loss: pickLoss(model), evaluator: ev,",
      "                       args: tutorialArguments({ maxSteps: 20, evalSteps: 10, learningRate: 5e-4 }) })",
    ],
  });
  return "done";
}

async function load(context: CommandContext, directory: string): Promise<"done"> {
  const kit = await context.kit();
  const model = await kit.loadModel(directory === "" ? undefined : directory);
  context.scope.model = model;
  context.output({ tone: "result", lines: context.render(model).map((line, index) => (index === 0 ? `model = ${line}` : line)) });
  return "done";
}

const DATA_FORMATS: Record<string, "parquet" | "csv" | "jsonl" | "json"> = { ".parquet": "parquet", ".csv": "csv", ".jsonl": "jsonl", ".json": "json" };

async function data(context: CommandContext, path: string): Promise<"done"> {
  if (path === "") throw new CommandError("usage: .data <file> (a .parquet, .csv, .jsonl or .json file)");
  const format = DATA_FORMATS[extname(path).toLowerCase()];
  if (!format) throw new CommandError(`.data: ${path} is not a .parquet, .csv, .jsonl or .json file`);
  const kit = await context.kit();
  const dataset = await kit.loadDataset(format, { dataFiles: path, split: "train" });
  const frame = await dataset.toDataFrame();
  context.scope.ds = dataset;
  context.scope.df = frame;
  context.output({
    tone: "result",
    lines: [`ds = Dataset(${dataset.numRows} rows: ${dataset.columnNames.join(", ")}), df = its DataFrame`, ...context.render(frame)],
  });
  return "done";
}

async function plot(context: CommandContext, argument: string): Promise<"done"> {
  const latest = context.monitor.latest;
  const metricName = argument === "" ? "loss" : argument;
  const metric = latest && metricSeries(latest.trainer.state.log_history, latest.snapshot.losses, metricName);
  if (metric) {
    context.output({ tone: "result", lines: renderLineChart(metric.values, { width: context.width(), title: metric.title }) });
    return "done";
  }
  if (argument === "") throw new CommandError("usage: .plot <number array or expression> | .plot <metric of the last training run>");
  const evaluation = await context.evaluate(argument);
  if (evaluation.kind === "error") throw evaluation.error;
  const value = evaluation.kind === "value" ? evaluation.value : undefined;
  const series = numberSeries(value);
  if (!series) {
    const metrics = latest ? ` (metrics of the last run: ${metricNames(latest.trainer.state.log_history).join(", ")})` : "";
    throw new CommandError(`.plot: ${argument} is neither an array of numbers nor a metric of the last training run${metrics}`);
  }
  context.output({ tone: "result", lines: renderLineChart(series, { width: context.width(), title: argument }) });
  return "done";
}

/** "loss" is every step's loss; any other key is looked up in the log history (with or without "eval_"). */
function metricSeries(logHistory: readonly Record<string, number>[], stepLosses: readonly number[], name: string): { title: string; values: number[] } | undefined {
  if (name === "loss" && stepLosses.length > 0) return { title: "training loss per step (last run)", values: [...stepLosses] };
  for (const key of [name, `eval_${name}`]) {
    const values = logHistory.flatMap((entry) => (typeof entry[key] === "number" ? [entry[key]] : []));
    if (values.length > 0) return { title: `${key} (last run, ${values.length} ${values.length === 1 ? "entry" : "entries"})`, values };
  }
  return undefined;
}

function metricNames(logHistory: readonly Record<string, number>[]): string[] {
  return ["loss", ...new Set(logHistory.flatMap((entry) => Object.keys(entry)).filter((key) => key !== "step" && key !== "loss"))];
}

function numberSeries(value: unknown): number[] | undefined {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value) && value.length > 0 && value.every((entry) => typeof entry === "number")) return value;
  return undefined;
}

async function history(context: CommandContext, argument: string): Promise<"done"> {
  const count = argument === "" ? HISTORY_SHOWN : Number(argument);
  if (!Number.isInteger(count) || count < 1) throw new CommandError(`.history: ${JSON.stringify(argument)} is not a positive whole number`);
  const entries = context.history.entries;
  const first = Math.max(0, entries.length - count);
  const numberWidth = String(entries.length).length;
  const lines = entries.slice(first).flatMap((entry, offset) =>
    entry.split("\n").map((line, index) => `${index === 0 ? String(first + offset + 1).padStart(numberWidth) : " ".repeat(numberWidth)}  ${line}`),
  );
  context.output({ tone: "note", lines: lines.length > 0 ? lines : ["(no history yet)"] });
  return "done";
}

async function clear(context: CommandContext): Promise<"done"> {
  context.clear();
  return "done";
}

async function trace(context: CommandContext): Promise<"done"> {
  context.output({ tone: "note", lines: context.lastError === undefined ? ["(no error yet)"] : errorTrace(context.lastError) });
  return "done";
}
