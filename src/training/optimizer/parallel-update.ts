// Runs one optimizer step's slices (adamw-kernel.ts, one per weight) on the main thread and one worker
// thread at once, synchronously: the weights are cut in two by an estimate of their cost, the worker gets
// the tail, the main thread runs the head and then blocks (Atomics.wait) until the worker is done. Every
// element is updated by the same kernel on exactly one thread, so the bits are those of a single pass.
// The tail's weights and moments are transferred to the worker and back (no copy; onnxruntime-node
// rejects arrays in a SharedArrayBuffer, so the weights cannot simply be shared): they come back as new
// Float32Arrays over the same memory and the old ones are left detached (empty). Its gradients, plain
// arrays of the caller's, are copied for it. One worker serves every optimizer of the process; it is
// unref'd (it never keeps the process alive) and ends with the process. Without a second core, or for a
// small step, everything runs on the main thread.

import { availableParallelism } from "node:os";
import { isMainThread, MessageChannel, parentPort, receiveMessageOnPort, Worker, workerData, type MessagePort } from "node:worker_threads";
import { updateSlice, type Slice, type StepConstants } from "./adamw-kernel.ts";

/** Below this much work (elements updated in full), a step runs on the main thread alone. */
export const MIN_PARALLEL_COST = 1 << 18;
/** The worker's share of the work: the main thread also hands the weights to tfjs meanwhile. */
const WORKER_SHARE = 0.5;
/** An untouched table row without weight decay costs nothing; with it, θ·keep costs about this much per element. */
const KEEP_ONLY_COST = 0.3;
const READY_TIMEOUT_MS = 30_000;
const STEP_TIMEOUT_MS = 600_000;

// Slots of the control array shared with the worker.
const READY = 0;
const DONE = 1;
const ROLE = "embedtune AdamW worker";

/**
 * Updates every slice, calling weightDone(index, slice) on the main thread as soon as slices[index] is
 * done, with its arrays as they are now (new ones when they went to the worker). Returns false when any
 * written weight is NaN or infinite.
 */
export function updateSlices(slices: Slice[], constants: StepConstants, weightDone: (index: number, slice: Slice) => void): boolean {
  const costs = slices.map(costOf);
  const total = costs.reduce((sum, cost) => sum + cost, 0);
  const worker = total >= 2 * MIN_PARALLEL_COST ? optimizerWorker() : undefined;
  let headLength = slices.length;
  if (worker) {
    let headCost = 0;
    headLength = 0;
    while (headLength < slices.length && headCost + costs[headLength] / 2 <= total * (1 - WORKER_SHARE)) headCost += costs[headLength++];
  }
  const tail = slices.slice(headLength);
  const sequence = tail.length > 0 ? worker!.start(tail, constants) : undefined;
  let finite = true;
  for (let index = 0; index < headLength; index++) {
    finite = updateSlice(slices[index], constants) && finite;
    weightDone(index, slices[index]);
  }
  if (sequence !== undefined) {
    const { finite: tailFinite, slices: updated } = worker!.finish(sequence);
    finite = tailFinite && finite;
    updated.forEach((slice, offset) => weightDone(headLength + offset, slice));
  }
  return finite;
}

/** Work in elements updated in full. */
function costOf(slice: Slice): number {
  if (slice.kind === "dense") return slice.weights.length;
  const { rows, touched, width, keep } = slice;
  let cost = 0;
  let slot = 0;
  for (let row = 0; row < touched.length; row++) {
    const hasGradient = slot < rows.length && rows[slot] === row;
    cost += hasGradient || touched[row] ? width : keep !== 1 ? width * KEEP_ONLY_COST : 0;
    if (hasGradient) slot++;
  }
  return cost;
}

interface Reply {
  sequence: number;
  finite: boolean;
  failure?: string;
  written: { weights: Float32Array; first: Float32Array; second: Float32Array }[];
}

class OptimizerWorker {
  private sequence = 0;
  private pending: Slice[] = [];

  constructor(
    private readonly worker: Worker,
    private readonly control: Int32Array,
    private readonly replies: MessagePort,
  ) {}

  /** Hands the slices to the worker: their weights and moments move there, their gradients are copied. */
  start(slices: Slice[], constants: StepConstants): number {
    this.sequence++;
    const moving: ArrayBuffer[] = [];
    const sent = slices.map((slice): Slice => {
      for (const array of [slice.weights, slice.first, slice.second]) moving.push(wholeBuffer(array));
      if (slice.kind === "dense") {
        const gradient = slice.gradient.slice();
        moving.push(gradient.buffer);
        return { ...slice, gradient };
      }
      const copies = { rows: slice.rows.slice(), values: slice.values.slice(), touched: slice.touched.slice() };
      moving.push(copies.rows.buffer, copies.values.buffer, copies.touched.buffer);
      return { ...slice, ...copies };
    });
    this.worker.postMessage({ sequence: this.sequence, slices: sent, constants }, moving);
    this.pending = slices;
    return this.sequence;
  }

  /** Waits for job `sequence`: whether its weights are all finite, and its slices with their arrays back. */
  finish(sequence: number): { finite: boolean; slices: Slice[] } {
    const started = Date.now();
    for (let done = Atomics.load(this.control, DONE); done !== sequence; done = Atomics.load(this.control, DONE)) {
      const waited = Date.now() - started;
      if (Atomics.load(this.control, READY) === 0 && waited > READY_TIMEOUT_MS) throw new Error(`the optimizer's worker thread did not start within ${READY_TIMEOUT_MS / 1000} s`);
      if (waited > STEP_TIMEOUT_MS) throw new Error(`the optimizer's worker thread did not finish a step within ${STEP_TIMEOUT_MS / 1000} s`);
      Atomics.wait(this.control, DONE, done, 1000);
    }
    const reply = receiveMessageOnPort(this.replies)?.message as Reply | undefined;
    if (!reply || reply.sequence !== sequence) throw new Error("the optimizer's worker thread finished without a reply");
    if (reply.failure !== undefined) throw new Error(`the optimizer's worker thread failed: ${reply.failure}`);
    return { finite: reply.finite, slices: this.pending.map((slice, index) => ({ ...slice, ...reply.written[index] })) };
  }
}

/** The buffer of an array that spans all of it (the optimizer allocates its arrays so). */
function wholeBuffer(array: Float32Array): ArrayBuffer {
  if (array.byteOffset !== 0 || array.byteLength !== array.buffer.byteLength || !(array.buffer instanceof ArrayBuffer)) {
    throw new Error("an optimizer array handed to the worker must span its own ArrayBuffer");
  }
  return array.buffer;
}

/** undefined: not started yet; null: unavailable (one core). */
let sharedWorker: OptimizerWorker | null | undefined;

/** The process's optimizer worker, started on first use. */
function optimizerWorker(): OptimizerWorker | undefined {
  if (sharedWorker === undefined) sharedWorker = availableParallelism() < 2 ? null : startWorker();
  return sharedWorker ?? undefined;
}

/** Starts the worker now for an optimizer of `size` elements that will use it, so its first step does not wait for it. */
export function warmUpWorker(size: number): void {
  if (size >= 2 * MIN_PARALLEL_COST) optimizerWorker();
}

function startWorker(): OptimizerWorker {
  const control = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  const { port1, port2 } = new MessageChannel();
  // This module is the worker's code too. Node 20 does not apply tsx's hooks (--import tsx) to a worker's
  // entry, so from the .ts sources the worker registers tsx itself before importing it.
  const self = JSON.stringify(import.meta.url);
  const bootstrap = import.meta.url.endsWith(".ts")
    ? `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => { tsx.register(); return import(${self}); })`
    : `import(${self})`;
  const worker = new Worker(bootstrap, { eval: true, workerData: { role: ROLE, control, replies: port2 }, transferList: [port2], execArgv: [] });
  worker.unref();
  port1.unref();
  worker.on("error", () => undefined); // a worker that cannot start shows as a step that does not finish (finish() throws)
  return new OptimizerWorker(worker, control, port1);
}

function serve(control: Int32Array, replies: MessagePort): void {
  parentPort!.on("message", ({ sequence, slices, constants }: { sequence: number; slices: Slice[]; constants: StepConstants }) => {
    const reply: Reply = { sequence, finite: true, written: [] };
    try {
      for (const slice of slices) reply.finite = updateSlice(slice, constants) && reply.finite;
    } catch (error) {
      reply.failure = error instanceof Error ? (error.stack ?? error.message) : String(error);
    }
    reply.written = slices.map(({ weights, first, second }) => ({ weights, first, second }));
    replies.postMessage(reply, reply.written.flatMap(({ weights, first, second }) => [weights.buffer, first.buffer, second.buffer] as ArrayBuffer[]));
    Atomics.store(control, DONE, sequence);
    Atomics.notify(control, DONE);
  });
  Atomics.store(control, READY, 1);
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === ROLE) {
  const { control, replies } = workerData as { control: Int32Array; replies: MessagePort };
  serve(control, replies);
}
