// Interrupts during the kit's long operations (training, evaluation, mining, encode), so that Jupyter's stop
// button — SIGINT to the tslab kernel — ends them as Ctrl-C ends a CLI run. An operation calls
// beginInterruptible() and end() when done; only the outermost one owns the signals. Inner operations follow
// their owner's mode: inside a "kernel" owner (an evaluation, mining) they listen too and stop at their next
// step once the owner received an interrupt (an encode inside an interrupted evaluation throws at its next
// batch); inside an "always" or "never" owner (the trainer) they never see one (an encode inside a training
// run's evaluation runs on; the trainer stops after its step). What the owner gets:
//   in a tslab kernel: SIGINT goes to the operation, not to tslab (whose listener would end the cell at
//     once with "Interrupted asynchronously" while the work runs on in the background): tslab's listeners
//     are detached until end(), the first SIGINT calls onInterrupt (the operation then stops at its next
//     step and rejects with an OperationInterruptedError, one line), a second hands over to tslab's
//     listeners (the cell ends at once). SIGINT never exits the kernel (a second SIGTERM does, as elsewhere).
//   elsewhere, listen "always" (the trainer, unless its host handles signals): the first SIGINT or SIGTERM
//     calls onInterrupt, a second exits at once with the conventional code (130, 143); "kernel" (evaluation,
//     mining, encode) leaves Node's default handling. Listeners exist only until end().
// runInterruptible runs a "kernel" operation (encode, evaluation, mining) with stop points between its steps
// (they yield so the signal can arrive there, also during synchronous work) and gives it one named error.

import { EmbedtuneError } from "../errors.ts";

export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type InterruptSignal = keyof typeof SIGNAL_EXIT_CODES;

/** An interrupt ended a kit operation before it finished (the kernel and earlier results are intact). */
export class OperationInterruptedError extends EmbedtuneError {}

/** model.encode stopped between batches by a kernel interrupt. */
export class EncodeInterruptedError extends OperationInterruptedError {
  constructor(
    readonly encoded: number,
    readonly total: number,
  ) {
    super(`encode interrupted after ${encoded} of ${total} sentences; no embeddings were returned`);
  }
}

/** An evaluator's evaluate (or the evaluate step) stopped by a kernel interrupt; `where` says at which point. */
export class EvaluationInterruptedError extends OperationInterruptedError {
  constructor(
    readonly evaluator: string,
    readonly where: string,
  ) {
    super(`evaluation interrupted (${evaluator}) ${where}; no metrics were returned`);
  }
}

/** mineHardNegatives stopped by a kernel interrupt, before or while scoring its queries. */
export class MiningInterruptedError extends OperationInterruptedError {
  constructor(
    readonly scored: number,
    readonly total: number,
  ) {
    super(`mining interrupted after ${scored} of ${total} queries; no dataset was returned`);
  }
}

export interface InterruptibleOptions {
  /** "always": signals in any process (the trainer); "kernel": SIGINT only in a tslab kernel (evaluation, mining, encode); "never": none, yet inner operations still leave signals alone. */
  listen: "always" | "kernel" | "never";
  /** Called on the first signal this operation receives. */
  onInterrupt?: (signal: InterruptSignal) => void;
}

export interface Interruption {
  /** The first signal that asks this operation to stop: its own as the owner, or its "kernel" owner's as an inner operation. */
  readonly received: InterruptSignal | undefined;
  /** True when a signal can stop this operation (its owner listens, and is this one or a "kernel" one): it should yield between steps (letSignalsIn) so signals arrive. */
  readonly listening: boolean;
  /** True in a tslab kernel: an interrupt should end the operation with an OperationInterruptedError. */
  readonly inKernel: boolean;
  end(): void;
}

/** A tslab kernel's executor sets `globalThis.__tslab__` (its exports and require) when it starts. */
export function inTslabKernel(): boolean {
  return "__tslab__" in globalThis;
}

let running = 0;
/** The running owner, when inner operations stop with it (a listening "kernel" owner). */
let sharingOwner: Interruption | undefined;

export function beginInterruptible(options: InterruptibleOptions): Interruption {
  const inKernel = inTslabKernel();
  if (running > 0) return beginInner(sharingOwner, inKernel);
  running = 1;
  let received: InterruptSignal | undefined;
  /** Records the first signal and reports it; false for any later one. */
  const first = (signal: InterruptSignal): boolean => {
    if (received !== undefined) return false;
    received = signal;
    options.onInterrupt?.(signal);
    return true;
  };
  const listening = options.listen === "always" || (options.listen === "kernel" && inKernel);
  const detach = !listening ? () => {} : inKernel ? listenInKernel(options.listen === "always" ? ["SIGINT", "SIGTERM"] : ["SIGINT"], first) : listenForExit(first);
  let ended = false;
  const interruption: Interruption = {
    get received() {
      return received;
    },
    listening,
    inKernel,
    end() {
      if (ended) return;
      ended = true;
      running -= 1;
      if (sharingOwner === interruption) sharingOwner = undefined;
      detach();
    },
  };
  if (listening && options.listen === "kernel") sharingOwner = interruption;
  return interruption;
}

/** An inner operation: no listeners of its own; it stops with its owner when the owner shares its interrupts. */
function beginInner(owner: Interruption | undefined, inKernel: boolean): Interruption {
  running += 1;
  let ended = false;
  return {
    get received() {
      return owner?.received;
    },
    listening: owner !== undefined,
    inKernel,
    end() {
      if (ended) return;
      ended = true;
      running -= 1;
    },
  };
}

/** A second signal: exit at once with its conventional code (outside a kernel; SIGTERM in one too). */
function exitNow(signal: InterruptSignal): never {
  process.stderr.write(`embedtune: ${signal} again: exiting now, without a checkpoint of the current step (earlier checkpoints are intact)\n`);
  process.exit(SIGNAL_EXIT_CODES[signal]);
}

/** Outside a kernel: SIGINT and SIGTERM; the first is reported, a second exits. */
function listenForExit(first: (signal: InterruptSignal) => boolean): () => void {
  const listeners = (Object.keys(SIGNAL_EXIT_CODES) as InterruptSignal[]).map((signal) => {
    const listener = () => {
      if (!first(signal)) exitNow(signal);
    };
    process.on(signal, listener);
    return [signal, listener] as const;
  });
  return () => {
    for (const [signal, listener] of listeners) process.off(signal, listener);
  };
}

/**
 * In a kernel: the operation's listeners replace the others (tslab's SIGINT) until the returned detach;
 * a second SIGINT gives SIGINT back to them and calls them (a second SIGTERM exits). Ours are added before
 * theirs are removed (and theirs back before ours go), so SIGINT always has a listener and Node's default
 * never kills the kernel. The swap waits for a microtask: tslab runs a cell's synchronous part with vm's
 * breakOnSigint, which detaches SIGINT's listeners meanwhile and, if one is added then, leaves SIGINT's
 * disposition at "exit the process" when it re-attaches them — the next interrupt would kill the kernel.
 */
function listenInKernel(signals: InterruptSignal[], first: (signal: InterruptSignal) => boolean): () => void {
  let phase: "pending" | "listening" | "released" = "pending";
  const displaced = new Map<InterruptSignal, ((signal: NodeJS.Signals) => void)[]>();
  const ours = new Map<InterruptSignal, () => void>();
  const restore = () => {
    const was = phase;
    phase = "released";
    if (was !== "listening") return;
    for (const [signal, listener] of ours) {
      for (const theirs of displaced.get(signal)!) process.on(signal, theirs);
      process.off(signal, listener);
    }
  };
  queueMicrotask(() => {
    if (phase !== "pending") return;
    phase = "listening";
    for (const signal of signals) {
      const listener = () => {
        if (first(signal)) return;
        if (signal === "SIGTERM") exitNow(signal);
        restore();
        for (const theirs of displaced.get(signal)!) theirs(signal);
      };
      displaced.set(signal, process.listeners(signal) as ((signal: NodeJS.Signals) => void)[]);
      ours.set(signal, listener);
      process.on(signal, listener);
      for (const theirs of displaced.get(signal)!) process.off(signal, theirs);
    }
  });
  return restore;
}

/** Lets pending signals reach their listeners (a macrotask turn) between the steps of a synchronous loop. */
export function letSignalsIn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs a "kernel" operation (encode, evaluation, mining) that calls `stopPoint()` between its steps: there, when an
 * interrupt asked it to stop, it rejects with `stopped()`'s error, as it does when an inner encode stopped
 * for that interrupt (its EncodeInterruptedError becomes this error). `stopped` reads the operation's progress.
 */
export async function runInterruptible<T>(stopped: () => OperationInterruptedError, run: (stopPoint: () => Promise<void>) => Promise<T>): Promise<T> {
  const interruption = beginInterruptible({ listen: "kernel" });
  const stopPoint = async () => {
    if (interruption.listening) await letSignalsIn();
    if (interruption.received) throw stopped();
  };
  try {
    return await run(stopPoint);
  } catch (error) {
    throw interruption.received && error instanceof EncodeInterruptedError ? stopped() : error;
  } finally {
    interruption.end();
  }
}
