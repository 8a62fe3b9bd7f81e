// The kit in the REPL's scope: every export of embedtune (src/index.ts, step functions included) by
// its own name and again under an `embedtune` namespace, which `import … from "embedtune"` also gives.
// SentenceTransformerTrainer and train() are replaced by the same things watched by the REPL's
// training monitor (a subclass: instanceof, events and every method unchanged); in the terminal app
// trainers also keep quiet (no progress bar or JSON log lines of their own: the REPL draws progress).

import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type * as KitModule from "../src/index.ts";
import type { TrainerInit, TrainOutput } from "../src/index.ts";
import type { TrainingMonitor } from "./training-monitor.ts";

export type Kit = typeof KitModule;

/** Imports the kit (about a second: tfjs, onnxruntime, the tokenizer library). */
export function loadKit(): Promise<Kit> {
  return import("../src/index.ts");
}

export interface KitScopeOptions {
  monitor: TrainingMonitor;
  /** Trainers print no progress bar or log lines (the terminal app shows its own view). */
  quietTrainers: boolean;
}

/** The names the REPL starts with: the kit's exports, with training watched, and `embedtune`. */
export function kitScope(kit: Kit, options: KitScopeOptions): Record<string, unknown> {
  const { monitor, quietTrainers } = options;
  class SentenceTransformerTrainer extends kit.SentenceTransformerTrainer {
    constructor(init: TrainerInit) {
      super(init);
      monitor.watch(this);
    }

    override async train(trainOptions?: { resumeFromCheckpoint?: string | boolean }): Promise<TrainOutput> {
      const showedProgress = this.args.disableTqdm;
      if (quietTrainers) this.args.disableTqdm = true;
      try {
        return await super.train(trainOptions);
      } finally {
        this.args.disableTqdm = showedProgress;
      }
    }
  }
  async function train(init: TrainerInit): Promise<{ trainer: SentenceTransformerTrainer; output: TrainOutput }> {
    const trainer = new SentenceTransformerTrainer(init);
    const output = await trainer.train();
    return { trainer, output };
  }
  const exports: Record<string, unknown> = { ...kit, SentenceTransformerTrainer, train };
  const namespace = Object.freeze(Object.assign(Object.create(null), exports) as Record<string, unknown>);
  return { ...exports, embedtune: namespace };
}

/** What `import … from "m"` loads in the REPL: "embedtune" is the kit; paths are relative to the working folder. */
export function importForRepl(embedtune: () => Promise<unknown>): (specifier: string) => Promise<unknown> {
  return async (specifier) => {
    if (specifier === "embedtune") return embedtune();
    if (specifier.startsWith(".") || isAbsolute(specifier)) return import(pathToFileURL(resolve(specifier)).href);
    return import(specifier);
  };
}
