// onnxruntime-node sessions as embedtune runs them (see shared/docs/onnxruntime-engine-notes.md):
// full graph optimisation, one inter-op thread, intra-op threads = the physical cores, spinning off
// (machines are shared; a spinning pool collapses under foreign load). The device (see ../device.ts):
// "auto" runs on CUDA GPU 0 where onnxruntime-node's CUDA provider is installed and works, else on the
// CPU, silently; "cuda" / "cuda:N" run on that GPU or fail with DeviceUnavailableError saying why;
// "cpu" runs on the CPU. Tensors built here share the caller's typed arrays (inputs are zero-copy).

import { join } from "node:path";
import * as ort from "onnxruntime-node";
import type { EncoderInputs } from "../architecture.ts";
import { computeThreads } from "../../util/cpu-cores.ts";
import { GraphBuilder } from "./graph-builder.ts";
import { cudaIndex, cudaProviderInstalled, cudaProviderMissing, DeviceUnavailableError, explainCudaFailure, type Device } from "../device.ts";

export type ExecutionProvider = "cuda" | "cpu";

export interface SessionOptions {
  /** Intra-op threads (default: the physical cores this process may use, util/cpu-cores.ts). */
  threads?: number;
  /** "auto" (default): CUDA GPU 0 when its provider works, else CPU; "cuda" / "cuda:N": that GPU or an error; "cpu". */
  device?: Device | "auto";
  /** What the graph is ("training backward", …): names its onnxruntime profile when profiling is on. */
  name?: string;
}

export interface CreatedSession {
  session: ort.InferenceSession;
  /** The execution provider the session was created with. */
  provider: ExecutionProvider;
}

const providers = new WeakMap<ort.InferenceSession, ExecutionProvider>();
/** Why CUDA could not run in this process (one line), once an "auto" session found out; later ones do not try again. */
let cudaFailure: string | undefined;

/** Where sessions write onnxruntime's own profile (per-node kernel times) while profiling is on. */
let profileDirectory: string | undefined;
const profiled: { name: string; prefix: string; session: ort.InferenceSession }[] = [];

/** Sessions created from now on write onnxruntime's profile into `directory` (undefined: no longer). */
export function profileSessionsInto(directory: string | undefined): void {
  profileDirectory = directory;
}

/** Ends profiling of every profiled session (their JSON files are written then); returns each one's name and file prefix. */
export function endSessionProfiles(): { name: string; prefix: string }[] {
  const ended = profiled.map(({ name, prefix, session }) => {
    session.endProfiling();
    return { name, prefix };
  });
  profiled.length = 0;
  return ended;
}

function sessionOptions(threads: number, executionProviders: ort.InferenceSession.ExecutionProviderConfig[], profilePrefix?: string): ort.InferenceSession.SessionOptions {
  return {
    ...(profilePrefix === undefined ? {} : { enableProfiling: true, profileFilePrefix: profilePrefix }),
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
  const threads = options.threads ?? computeThreads();
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  const device = options.device ?? "auto";
  const explicit = device !== "auto";
  const deviceId = explicit ? cudaIndex(device) : 0;
  if (explicit && deviceId !== undefined && !cudaProviderInstalled()) throw new DeviceUnavailableError(device, cudaProviderMissing());
  const name = options.name ?? "session";
  const profilePrefix = profileDirectory === undefined ? undefined : join(profileDirectory, `${name.replaceAll(" ", "-")}-${profiled.length}`);
  if (deviceId !== undefined && (explicit || (cudaFailure === undefined && cudaProviderInstalled()))) {
    try {
      const session = await ort.InferenceSession.create(modelBytes, sessionOptions(threads, [{ name: "cuda", deviceId }, "cpu"], profilePrefix));
      if (profilePrefix !== undefined) profiled.push({ name, prefix: profilePrefix, session });
      providers.set(session, "cuda");
      return { session, provider: "cuda" };
    } catch (error) {
      const reason = explainCudaFailure(error instanceof Error ? error.message : String(error));
      if (explicit) throw new DeviceUnavailableError(device, reason);
      cudaFailure = reason;
    }
  }
  const session = await ort.InferenceSession.create(modelBytes, sessionOptions(threads, ["cpu"], profilePrefix));
  if (profilePrefix !== undefined) profiled.push({ name, prefix: profilePrefix, session });
  providers.set(session, "cpu");
  return { session, provider: "cpu" };
}

/**
 * Where a session on `device` computes and, when "auto" does not reach CUDA, why (one line): a one-node
 * session finds out (tens of ms) unless the provider is absent or an earlier session already failed.
 * For `embedtune info`; an explicit GPU that cannot run throws DeviceUnavailableError, as createSession.
 */
export async function probeDevice(device: Device | "auto"): Promise<{ provider: ExecutionProvider; whyNotCuda?: string }> {
  if (device === "auto" && cudaFailure !== undefined) return { provider: "cpu", whyNotCuda: cudaFailure };
  if (device === "auto" && !cudaProviderInstalled()) return { provider: "cpu", whyNotCuda: cudaProviderMissing() };
  const { session, provider } = await createSession(identityGraph(), { threads: 1, device });
  await session.release();
  return provider === "cpu" && device === "auto" ? { provider, whyNotCuda: cudaFailure } : { provider };
}

/** The smallest graph a session accepts: y = Identity(x), float [1]. */
function identityGraph(): Uint8Array {
  const g = new GraphBuilder("embedtune_device_probe");
  g.output(g.input("x", "float", [1]), "float", [1], "y");
  return g.build();
}

/** The execution provider a session from createSession() runs on. */
export function sessionProvider(session: ort.InferenceSession): ExecutionProvider | undefined {
  return providers.get(session);
}

/** The token inputs of one batch, as the encoder graphs name them (token_type_ids only for graphs that take them). */
export function tokenFeeds(inputs: EncoderInputs, withTokenTypes: boolean): Record<string, ort.Tensor> {
  const dims = [inputs.batchSize, inputs.seqLength];
  const feeds: Record<string, ort.Tensor> = {
    input_ids: int64Tensor(inputs.inputIds, dims),
    attention_mask: int64Tensor(inputs.attentionMask, dims),
  };
  if (withTokenTypes) feeds.token_type_ids = int64Tensor(inputs.tokenTypeIds, dims);
  return feeds;
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

/** The feeds a session declares as inputs (a graph may read only some of a pass's token inputs, weights and masks). */
export function declaredFeeds(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>): Record<string, ort.Tensor> {
  const declared: Record<string, ort.Tensor> = {};
  for (const name of session.inputNames) declared[name] = feeds[name];
  return declared;
}
