// `embedtune info`: version, Node, where each engine computes and why not on the GPU (onnxruntime: the
// CUDA provider's state — not installed, with the command that installs it, or its load error — or an
// EMBEDTUNE_* variable forcing the choice; tfjs: the backend, and tfjs-node-gpu's state), and (with
// --model) the model's family (config.json's model_type) and summary. Without --model it loads no model: a one-node session probes CUDA.

import { backendInfo, initializeBackend, tfjsGpuUnavailable } from "../backend.ts";
import { defaultDevice, DeviceUnavailableError } from "../engines/device.ts";
import { EMBEDTUNE_VERSION } from "../version.ts";
import type { Command } from "./main.ts";
import { loadModelOption, MODEL_OPTIONS, MODEL_USAGE } from "./options.ts";

export const infoCommand: Command = {
  summary: "show the version, where the onnxruntime and tfjs engines compute (CPU or CUDA, and why not CUDA) and, with --model, the model's summary",
  usage: `embedtune info ${MODEL_USAGE}`,
  options: { ...MODEL_OPTIONS },
  async run(values) {
    await initializeBackend({ quiet: true });
    const backend = backendInfo();
    console.log(`embedtune ${EMBEDTUNE_VERSION}, Node ${process.versions.node}`);
    console.log(await onnxruntimeLine());
    console.log(`tfjs backend: ${backend.name} (${backend.package}${backend.gpu ? ", GPU" : ""}) — ${backend.reason}`);
    console.log(backend.gpu ? `tfjs GPU: yes (${backend.package})` : `tfjs GPU: no — ${tfjsGpuUnavailable()}`);
    if (typeof values.model === "string") {
      const model = await loadModelOption(values, { quiet: true });
      console.log(`model family: ${model.transformer.config.modelType}`);
      console.log(String(model));
      model.dispose();
    }
  },
};

/** "onnxruntime: onnxruntime-node 1.21.0 on CPU — not CUDA: <why>" (or on CUDA, or not used and why). */
async function onnxruntimeLine(): Promise<string> {
  const engine = process.env.EMBEDTUNE_ENGINE;
  if (engine === "tfjs") return "onnxruntime: not used (EMBEDTUNE_ENGINE=tfjs chooses the tfjs engine)";
  let ort: typeof import("onnxruntime-node");
  let session: typeof import("../engines/onnxruntime/session.ts");
  try {
    [ort, session] = await Promise.all([import("onnxruntime-node"), import("../engines/onnxruntime/session.ts")]);
  } catch (error) {
    return `onnxruntime: cannot load (${(error as Error).message.split("\n")[0]}); the tfjs engine computes`;
  }
  const name = `onnxruntime: onnxruntime-node ${ort.env.versions.node ?? "?"}`;
  const forced = defaultDevice();
  if (forced === "cpu") return `${name} on CPU — not CUDA: EMBEDTUNE_DEVICE=cpu`;
  try {
    const { provider, whyNotCuda } = await session.probeDevice(forced ?? "auto");
    if (provider === "cuda") return `${name} on CUDA (${forced ?? "cuda:0"})${forced ? ` — EMBEDTUNE_DEVICE=${forced}` : ""}`;
    return `${name} on CPU — not CUDA: ${whyNotCuda ?? "unknown"}`;
  } catch (error) {
    if (!(error instanceof DeviceUnavailableError)) throw error;
    return `${name}: EMBEDTUNE_DEVICE=${forced} cannot run — ${error.reason}`;
  }
}
