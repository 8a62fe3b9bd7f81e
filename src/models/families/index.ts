// The model families embedtune runs, keyed by config.json's model_type: one line per family.

import { ModelLoadError } from "../../errors.ts";
import { bertFamily } from "./bert/index.ts";
import { declaresRemoteCode } from "./bert/config.ts";
import type { ModelFamily } from "./family.ts";
import { modernBertFamily } from "./modernbert/index.ts";
import { mpnetFamily } from "./mpnet/index.ts";
import { xlmRobertaFamily } from "./xlm-roberta/index.ts";

const FAMILIES = new Map<string, ModelFamily>([
  [bertFamily.modelType, bertFamily as ModelFamily],
  [xlmRobertaFamily.modelType, xlmRobertaFamily as ModelFamily],
  [mpnetFamily.modelType, mpnetFamily as ModelFamily],
  [modernBertFamily.modelType, modernBertFamily as ModelFamily],
]);

/** The model_types embedtune supports, in registry order. */
export function supportedModelTypes(): string[] {
  return [...FAMILIES.keys()];
}

/** The family of a parsed config.json (`file` names it in errors). */
export function familyOf(raw: unknown, file: string): ModelFamily {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ModelLoadError(file, "is not a JSON object");
  const config = raw as Record<string, unknown>;
  const family = typeof config.model_type === "string" ? FAMILIES.get(config.model_type) : undefined;
  if (family === undefined) {
    throw new ModelLoadError(
      file,
      `model_type ${JSON.stringify(config.model_type)} is not supported (embedtune supports ${supportedModelTypes().join(", ")})` +
        (declaresRemoteCode(config) ? "; its auto_map names remote code, which embedtune never runs" : ""),
    );
  }
  return family;
}

/** The family registered for a model_type, or undefined. */
export function familyNamed(modelType: string): ModelFamily | undefined {
  return FAMILIES.get(modelType);
}

export type { ModelFamily } from "./family.ts";
