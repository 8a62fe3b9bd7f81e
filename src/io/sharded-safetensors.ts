// Sharded safetensors weights as transformers saves them: model.safetensors.index.json
// {"metadata": {...}, "weight_map": {tensor name: shard file name}} beside the shards
// (model-00001-of-00002.safetensors, …). Each shard is read once and the tensors are merged; every
// tensor the index lists must be in the shard it names, and no tensor may be in two shards. Shard names
// must be plain file names in the index's folder, and each shard must resolve inside the model folder
// (contained-path.ts). Errors name the index or the shard.

import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { ModelLoadError } from "../errors.ts";
import { assertContainedFile } from "./contained-path.ts";
import { readJsonFile } from "./model-folder.ts";
import { readSafetensors, type SafetensorsEntry } from "./safetensors.ts";

export const SAFETENSORS_INDEX = "model.safetensors.index.json";

export interface ShardedTensor extends SafetensorsEntry {
  /** The shard file this tensor was read from. */
  file: string;
}

/** The tensors of every shard the index at `indexPath` names; `root` is the model folder. */
export function readShardedSafetensors(indexPath: string, root: string): Map<string, ShardedTensor> {
  const index = readJsonFile(indexPath, { within: root });
  const weightMap = (index as { weight_map?: unknown } | null)?.weight_map;
  if (typeof index !== "object" || index === null || typeof weightMap !== "object" || weightMap === null || Array.isArray(weightMap)) {
    throw new ModelLoadError(indexPath, 'has no "weight_map" object (expected {"weight_map": {tensor name: shard file}})');
  }
  const shardOf = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(weightMap)) {
    if (typeof shard !== "string" || shard === "" || shard !== basename(shard) || shard === "." || shard === ".." || /[\\/]/.test(shard)) {
      const shown = typeof shard === "string" ? JSON.stringify(shard.length > 200 ? `${shard.slice(0, 200)}…` : shard) : typeof shard;
      throw new ModelLoadError(indexPath, `weight_map puts tensor ${JSON.stringify(tensor)} in ${shown}, which is not a file name in the model folder`);
    }
    shardOf.set(tensor, shard);
  }
  if (shardOf.size === 0) throw new ModelLoadError(indexPath, "weight_map lists no tensors");

  const folder = dirname(indexPath);
  const tensors = new Map<string, ShardedTensor>();
  for (const shard of new Set(shardOf.values())) {
    const shardPath = join(folder, shard);
    if (!existsSync(shardPath)) throw new ModelLoadError(shardPath, `missing; ${basename(indexPath)} lists it as a shard of the weights`);
    assertContainedFile(root, shardPath);
    for (const entry of readSafetensors(shardPath).tensors.values()) {
      const earlier = tensors.get(entry.name);
      if (earlier !== undefined) {
        throw new ModelLoadError(shardPath, `tensor ${entry.name} is also in ${basename(earlier.file)}; a tensor belongs to one shard`);
      }
      tensors.set(entry.name, { ...entry, file: shardPath });
    }
  }
  for (const [tensor, shard] of shardOf) {
    const found = tensors.get(tensor);
    if (found === undefined || basename(found.file) !== shard) {
      throw new ModelLoadError(join(folder, shard), `does not hold tensor ${tensor}, which ${basename(indexPath)} puts there`);
    }
  }
  return tensors;
}
