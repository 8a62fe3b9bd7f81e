// ONNX export the way sentence-transformers / Optimum lay it out: the model folder (config.json,
// model.safetensors, tokenizer files, modules.json, 1_Pooling, …) plus onnx/model.onnx, the encoder
// forward graph of the model's family with the weights as initializers (raw float32 data): inputs input_ids,
// attention_mask and, where the family has them, token_type_ids (int64 [batch_size, sequence_length]), output last_hidden_state
// [batch_size, sequence_length, hidden]. Pooling and normalisation stay outside the graph, as in
// sentence-transformers' export; transformers.js loads the folder (dtype "fp32" → onnx/model.onnx).
// Written like savePretrained (output-folder.ts): other files in the folder stay.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeModelFolder, type OutputFolderOptions } from "../../io/output-folder.ts";
import type { SentenceTransformer } from "../../models/sentence-transformer.ts";
import { copyWeights } from "../engine.ts";

export const ONNX_MODEL_PATH = join("onnx", "model.onnx");

export interface ExportResult {
  directory: string;
  /** Size of onnx/model.onnx in bytes. */
  onnxBytes: number;
}

/**
 * Writes the model folder with onnx/model.onnx into `directory`: staged, then moved in file by file,
 * replacing only files of the same name. A non-empty folder that holds no model is refused unless
 * `overwrite: true`; `directory` may be the model's own folder.
 */
export async function exportOnnx(model: SentenceTransformer, directory: string, options: OutputFolderOptions = {}): Promise<ExportResult> {
  let onnxBytes = 0;
  await writeModelFolder(directory, (temporary) => {
    model.writeFiles(temporary);
    const { family, config } = model.transformer;
    const bytes = family.onnx.buildEncoder(config, copyWeights(model.transformer));
    mkdirSync(join(temporary, "onnx"));
    writeFileSync(join(temporary, ONNX_MODEL_PATH), bytes);
    onnxBytes = bytes.byteLength;
  }, { what: "the ONNX export", ...options });
  return { directory, onnxBytes };
}
