// A device as sentence-transformers names it: "cpu", "cuda" (GPU 0) or "cuda:N". Only the name and its check
// live here (no engine is imported), so training arguments and CLI options can validate it cheaply;
// device.ts says whether a device can run.
import { ArgumentError } from "../errors.ts";

export type Device = "cpu" | "cuda" | `cuda:${number}`;

/** Throws a one-line ArgumentError (naming `argument`) unless `value` is "cpu", "cuda" or "cuda:N". */
export function checkDevice(value: unknown, argument: string): asserts value is Device {
  if (typeof value !== "string" || !/^(cpu|cuda(:\d+)?)$/.test(value)) {
    throw new ArgumentError(argument, `must be "cpu", "cuda" or "cuda:N" (N the GPU's index), got ${JSON.stringify(value)}`);
  }
}
