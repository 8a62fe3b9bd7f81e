// `embedtune info`: version, Node, the tfjs backend chosen, and (with --model) the model's summary.

import { backendInfo, initializeBackend } from "../backend.ts";
import { SentenceTransformer } from "../models/sentence-transformer.ts";
import { EMBEDTUNE_VERSION } from "../version.ts";
import type { Command } from "./main.ts";

export const infoCommand: Command = {
  summary: "show the version, the tfjs backend in use and, with --model, the model's summary (engine included)",
  usage: "embedtune info [--model DIR]",
  options: { model: { type: "string" } },
  async run(values) {
    await initializeBackend({ quiet: true });
    const backend = backendInfo();
    console.log(`embedtune ${EMBEDTUNE_VERSION}, Node ${process.versions.node}`);
    console.log(`tfjs backend: ${backend.name} (${backend.package}${backend.gpu ? ", GPU" : ""}) — ${backend.reason}`);
    if (typeof values.model === "string") {
      const model = await SentenceTransformer.load(values.model, { quiet: true });
      console.log(String(model));
      model.dispose();
    }
  },
};
