// Opt-in wall-clock timing of a training step's phases, for `npm run profile` (bench/profile.ts).
// Off (the default), phase(name, run) is run() after one check. On, every phase records its wall time
// under its path of enclosing phases ("step/loss and gradients/backward/onnxruntime run"), so a parent's
// time minus its children's is what it spends itself. Phases nest by call order: the training loop
// awaits one thing at a time, which is what this relies on.

export interface PhaseTotal {
  calls: number;
  milliseconds: number;
}

let totals: Map<string, PhaseTotal> | undefined;
const open: string[] = [];

/** Starts recording (clearing what an earlier recording held). */
export function startPhaseTiming(): void {
  totals = new Map();
  open.length = 0;
}

/** Stops recording and returns the totals by phase path, in the order phases were first seen. */
export function stopPhaseTiming(): Map<string, PhaseTotal> {
  const recorded = totals ?? new Map<string, PhaseTotal>();
  totals = undefined;
  open.length = 0;
  return recorded;
}

/** run(), timed as phase `name` when timing is on; a promise is timed until it settles. */
export function phase<T>(name: string, run: () => T): T {
  if (totals === undefined) return run();
  open.push(name);
  const path = open.join("/");
  const started = performance.now();
  const finish = () => {
    const total = totals?.get(path) ?? { calls: 0, milliseconds: 0 };
    total.calls += 1;
    total.milliseconds += performance.now() - started;
    totals?.set(path, total);
    if (open.at(-1) === name) open.pop();
  };
  let result: T;
  try {
    result = run();
  } catch (error) {
    finish();
    throw error;
  }
  if (result instanceof Promise) return result.finally(finish) as T;
  finish();
  return result;
}
