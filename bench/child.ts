// One measurement in a fresh process: `node --expose-gc --import tsx bench/child.ts <task> <input.json> <output.json>`.
// Writes { ok, value } or { ok: false, unavailable | error } to the output file, then exits (onnxruntime's
// thread pool would otherwise keep the process alive).

import { readFileSync, writeFileSync } from "node:fs";
import { cachedMnrlMemoryTasks } from "./cached-mnrl-memory.ts";
import { Unavailable } from "./common.ts";
import { encodeTasks } from "./encode.ts";
import { familyFixtureTasks } from "./family-fixtures.ts";
import { familyStepTasks } from "./family-step.ts";
import { irEvalTasks } from "./ir-eval.ts";
import { fixtureTasks } from "./fixtures.ts";
import { machineTasks } from "./machine.ts";
import { memoryTasks } from "./memory.ts";
import { parquetTasks } from "./parquet-1m.ts";
import { tinyEpochTasks } from "./tiny-epoch.ts";
import { trainStepTasks } from "./train-step.ts";

type Task = (input: never) => Promise<unknown>;

const tasks: Record<string, Task> = {
  ...fixtureTasks,
  ...familyFixtureTasks,
  ...machineTasks,
  ...trainStepTasks,
  ...tinyEpochTasks,
  ...encodeTasks,
  ...irEvalTasks,
  ...parquetTasks,
  ...memoryTasks,
  ...cachedMnrlMemoryTasks,
  ...familyStepTasks,
};

const [name, inputFile, outputFile] = process.argv.slice(2);
let result: Record<string, unknown>;
try {
  const task = tasks[name];
  if (!task) throw new Error(`unknown task ${name} (tasks: ${Object.keys(tasks).join(", ")})`);
  const input = JSON.parse(readFileSync(inputFile, "utf8")) as never;
  result = { ok: true, value: await task(input) };
} catch (error) {
  if (error instanceof Unavailable) result = { ok: false, unavailable: error.message };
  else {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    result = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
writeFileSync(outputFile, JSON.stringify(result));
process.exit(0);
