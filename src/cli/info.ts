// `embedtune info`: version, Node, the tfjs backend chosen, and (with --model) the model's summary.

import { backendInfo, initializeBackend } from "../backend.ts";
import { EMBEDTUNE_VERSION } from "../version.ts";
import type { Command } from "./main.ts";
import { loadModelOption, MODEL_OPTIONS, MODEL_USAGE } from "./options.ts";

export const infoCommand: Command = {
  summary: "show the version, the tfjs backend in use and, with --model, the model's summary (engine included)",
  usage: `embedtune info ${MODEL_USAGE}`,
  options: { ...MODEL_OPTIONS },
  async run(values) {
    await initializeBackend({ quiet: true });
    const backend = backendInfo();
    console.log(`embedtune ${EMBEDTUNE_VERSION}, Node ${process.versions.node}`);
    console.log(`tfjs backend: ${backend.name} (${backend.package}${backend.gpu ? ", GPU" : ""}) — ${backend.reason}`);
    if (typeof values.model === "string") {
      const model = await loadModelOption(values, { quiet: true });
      console.log(String(model));
      model.dispose();
    }
  },
};
