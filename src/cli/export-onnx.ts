// `embedtune export-onnx`: writes the model folder plus onnx/model.onnx (the encoder with its weights;
// pooling and normalisation stay in 1_Pooling/ and 2_Normalize/), loadable by transformers.js,
// onnxruntime and sentence-transformers' ONNX backend. See engines/onnxruntime/export.ts. Files already
// in --out stay; a non-empty folder that holds no model needs --overwrite (checked before loading).

import { join } from "node:path";
import { exportOnnx, ONNX_MODEL_PATH } from "../engines/onnxruntime/export.ts";
import { ArgumentError } from "../errors.ts";
import { checkOutputFolder } from "../io/output-folder.ts";
import type { Command } from "./main.ts";
import { loadModelOption, MODEL_OPTIONS, MODEL_USAGE } from "./options.ts";

export const exportOnnxCommand: Command = {
  summary: "write the model folder with onnx/model.onnx (for transformers.js, onnxruntime)",
  usage: `embedtune export-onnx ${MODEL_USAGE} --out DIR [--overwrite]`,
  options: { ...MODEL_OPTIONS, out: { type: "string" }, overwrite: { type: "boolean" } },
  async run(values) {
    if (typeof values.out !== "string") throw new ArgumentError("--out", "is required: the folder to write the exported model into");
    const output = { overwrite: values.overwrite === true, argument: "--overwrite", what: "the ONNX export" };
    checkOutputFolder(values.out, output);
    const model = await loadModelOption(values);
    try {
      const { onnxBytes } = await exportOnnx(model, values.out, output);
      console.log(`wrote ${join(values.out, ONNX_MODEL_PATH)} (${(onnxBytes / 1e6).toFixed(1)} MB) and the model files beside it`);
    } finally {
      model.dispose();
    }
  },
};
