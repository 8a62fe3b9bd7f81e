// onnxruntime-node sessions as embedtune runs them (see shared/docs/onnxruntime-engine-notes.md):
// full graph optimisation, one inter-op thread, intra-op threads = the machine's cores, spinning off
// (machines are shared; a spinning pool collapses under foreign load), CUDA first where its provider
// library loads, else CPU. Tensors built here share the caller's typed arrays (inputs are zero-copy).

import { availableParallelism } from "node:os";
import * as ort from "onnxruntime-node";
import type { EncoderInputs } from "../tfjs/bert.ts";

export type ExecutionProvider = "cuda" | "cpu";

export interface SessionOptions {
  /** Intra-op threads (default: os.availableParallelism()). */
  threads?: number;
  /** "auto" (default): CUDA when its provider loads, else CPU. */
  provider?: ExecutionProvider | "auto";
}

export interface CreatedSession {
  session: ort.InferenceSession;
  /** The execution provider the session was created with. */
  provider: ExecutionProvider;
}

const providers = new WeakMap<ort.InferenceSession, ExecutionProvider>();
/** Set once CUDA failed to load in this process, so later sessions do not try again. */
let cudaUnavailable = false;

function cudaListed(): boolean {
  try {
    return ort.listSupportedBackends?.().some((backend) => backend.name === "cuda") ?? false;
  } catch {
    return false;
  }
}

function sessionOptions(threads: number, executionProviders: ExecutionProvider[]): ort.InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: "all",
    executionMode: "sequential",
    interOpNumThreads: 1,
    intraOpNumThreads: threads,
    executionProviders,
    extra: { session: { intra_op: { allow_spinning: "0" } } },
  };
}

/** An inference session over ONNX model bytes, and the provider it runs on. */
export async function createSession(modelBytes: Uint8Array, options: SessionOptions = {}): Promise<CreatedSession> {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  const wanted = options.provider ?? "auto";
  if (wanted === "cuda" || (wanted === "auto" && !cudaUnavailable && cudaListed())) {
    try {
      const session = await ort.InferenceSession.create(modelBytes, sessionOptions(threads, ["cuda", "cpu"]));
      providers.set(session, "cuda");
      return { session, provider: "cuda" };
    } catch (error) {
      // The CUDA provider library is usually absent (onnxruntime-node does not bundle it).
      if (wanted === "cuda") throw error;
      cudaUnavailable = true;
    }
  }
  const session = await ort.InferenceSession.create(modelBytes, sessionOptions(threads, ["cpu"]));
  providers.set(session, "cpu");
  return { session, provider: "cpu" };
}

/** The execution provider a session from createSession() runs on. */
export function sessionProvider(session: ort.InferenceSession): ExecutionProvider | undefined {
  return providers.get(session);
}

/** The token inputs of one batch, as the encoder graphs name them. */
export function tokenFeeds(inputs: EncoderInputs): Record<string, ort.Tensor> {
  const dims = [inputs.batchSize, inputs.seqLength];
  return {
    input_ids: int64Tensor(inputs.inputIds, dims),
    attention_mask: int64Tensor(inputs.attentionMask, dims),
    token_type_ids: int64Tensor(inputs.tokenTypeIds, dims),
  };
}

/** An int64 tensor of `values` (copied: ORT has no int32→int64 view). */
export function int64Tensor(values: Int32Array | ArrayLike<number>, dims: readonly number[]): ort.Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return new ort.Tensor("int64", data, dims);
}

/** A float32 tensor sharing `values`' memory (zero-copy; subarrays work). */
export function floatTensor(values: Float32Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor("float32", values, dims);
}
