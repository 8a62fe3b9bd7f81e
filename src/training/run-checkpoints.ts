// Which checkpoints in outputDir a run may resume, save over or rotate away, judged by the run
// configuration each one holds (run-configuration.ts): the same as the run's, another, or unknown (no
// embedtune_run.json: an older embedtune, Hugging Face's Trainer).
//   Resume `true`: the latest checkpoint of the same configuration (naming later ones of another when
//   there are); else the latest of unknown configuration, saying so; else one ArgumentError line naming
//   the checkpoints, what differs and the ways on. A path is taken as given, with a note when its
//   configuration differs or is unknown. A model holding the weights a checkpoint saved (a run stopped
//   in this process) continues that checkpoint's run: the run takes on its starting weights.
//   Before a run trains (clearOutputDir): a new run refuses an outputDir holding checkpoints of
//   another or an unknown configuration (resume one, choose another folder, or overwriteOutputDir,
//   which deletes them, one line); a resumed run refuses, on the same terms, those it would save over
//   (steps after its start up to its last). Checkpoints of the same configuration are a run starting
//   over: one note (on stdout in a notebook: no red box at each Run All), and its saves reproduce them.
//   Rotation deletes only the run's own (checkpoint.ts).

import { rmSync } from "node:fs";
import { basename } from "node:path";
import { ArgumentError } from "../errors.ts";
import { withFileSystemErrorsSync } from "../io/file-system-errors.ts";
import { printNote } from "../notebook/display.ts";
import { listCheckpoints, readTrainerState } from "./checkpoint.ts";
import {
  configurationDifferences,
  continuesRun,
  readRunConfiguration,
  RUN_CONFIGURATION_FILE,
  withStartingWeights,
  type RunConfiguration,
} from "./run-configuration.ts";

/** How the caller names the options its messages point to. */
export interface CheckpointOptionNames {
  outputDir: string;
  resume: string;
  /** Resuming the latest checkpoint. */
  resumeLatest: string;
  resumeFrom(checkpoint: string): string;
  overwrite: string;
}

export const LIBRARY_OPTION_NAMES: CheckpointOptionNames = {
  outputDir: "outputDir",
  resume: "resumeFromCheckpoint",
  resumeLatest: "resumeFromCheckpoint: true",
  resumeFrom: (checkpoint) => `resumeFromCheckpoint: ${JSON.stringify(checkpoint)}`,
  overwrite: "overwriteOutputDir: true",
};

/** `embedtune train`'s (src/cli/train.ts). */
export const CLI_OPTION_NAMES: CheckpointOptionNames = {
  outputDir: "--output",
  resume: "--resume",
  resumeLatest: "--resume",
  resumeFrom: (checkpoint) => `--resume-from ${checkpoint}`,
  overwrite: "--overwrite",
};

interface FolderCheckpoint {
  path: string;
  step: number;
  /** What differs from the run's configuration: [] for the same, undefined when unknown. */
  differences: string[] | undefined;
}

/** The checkpoints in outputDir, oldest first, each compared with `ours`. */
function folderCheckpoints(outputDir: string, ours: RunConfiguration): FolderCheckpoint[] {
  return listCheckpoints(outputDir).map((path) => {
    const theirs = readRunConfiguration(path);
    return { path, step: Number(/(\d+)$/.exec(path)![1]), differences: theirs && configurationDifferences(theirs, ours) };
  });
}

const isSame = (checkpoint: FolderCheckpoint) => checkpoint.differences?.length === 0;

/** Whether `checkpoint` holds the configuration `ours` (for rotation). */
export function isOfConfiguration(checkpoint: string, ours: RunConfiguration): boolean {
  return readRunConfiguration(checkpoint)?.fingerprint === ours.fingerprint;
}

export interface ResumePoint {
  checkpoint: string;
  /** Why this one, when that is not plain (it follows "resuming from … at step N: "). */
  note?: string;
  /** The run's configuration: `ours`, or the run it continues (its starting weights). */
  configuration: RunConfiguration;
}

/** The checkpoint `resume` designates for a run of configuration `described` (see the header). */
export function chooseResumeCheckpoint(outputDir: string, resume: string | true, described: RunConfiguration, names: CheckpointOptionNames): ResumePoint {
  const continued = (typeof resume === "string" ? [resume] : listCheckpoints(outputDir))
    .map(readRunConfiguration)
    .find((theirs) => theirs !== undefined && continuesRun(theirs, described));
  const ours = continued ? withStartingWeights(described, continued.model.sha256) : described;
  return { ...chooseFor(outputDir, resume, ours, names), configuration: ours };
}

function chooseFor(outputDir: string, resume: string | true, ours: RunConfiguration, names: CheckpointOptionNames): Omit<ResumePoint, "configuration"> {
  if (typeof resume === "string") {
    readTrainerState(resume, names.resume);
    const theirs = readRunConfiguration(resume);
    if (!theirs) return { checkpoint: resume, note: `taken as given; its run configuration is unknown (${UNKNOWN_WHY})` };
    const differences = configurationDifferences(theirs, ours);
    return differences.length === 0 ? { checkpoint: resume } : { checkpoint: resume, note: `taken as given, though its run configuration differs (${differences.join(", ")})` };
  }
  const checkpoints = folderCheckpoints(outputDir, ours);
  if (checkpoints.length === 0) throw new ArgumentError(names.resume, `no checkpoint-* folder in ${outputDir}`);
  const chosen = checkpoints.filter(isSame).at(-1) ?? checkpoints.filter((checkpoint) => checkpoint.differences === undefined).at(-1);
  if (!chosen) {
    throw new ArgumentError(
      names.resume,
      `no checkpoint in ${outputDir} is of this run configuration: ${describeGroups(checkpoints)}; to resume one anyway pass its path (${names.resumeFrom(checkpoints.at(-1)!.path)}), or train into another ${names.outputDir}`,
    );
  }
  const later = checkpoints.filter((checkpoint) => checkpoint.step > chosen.step);
  const passed = later.length === 0 ? "" : `; ${describeGroups(later)} ${later.length === 1 ? "is" : "are"} of another run configuration`;
  if (isSame(chosen)) return later.length === 0 ? { checkpoint: chosen.path } : { checkpoint: chosen.path, note: `the latest checkpoint of this run configuration${passed}` };
  return { checkpoint: chosen.path, note: `its run configuration is unknown (${UNKNOWN_WHY}) and no checkpoint is of this one${passed}` };
}

const UNKNOWN_WHY = `no ${RUN_CONFIGURATION_FILE}: saved by an older embedtune or another trainer`;

/**
 * Before a run of configuration `ours` trains from `startStep` (0: a new run) to `maxSteps`: refuses
 * (or, with `overwrite`, deletes with one line) the checkpoints of other configurations it would
 * disturb, and says when it starts over checkpoints of its own (see the header).
 */
export function clearOutputDir(
  outputDir: string,
  ours: RunConfiguration,
  run: { startStep: number; maxSteps: number; overwrite: boolean; names: CheckpointOptionNames },
): void {
  const { startStep, maxSteps, overwrite, names } = run;
  const checkpoints = folderCheckpoints(outputDir, ours);
  const foreign = checkpoints.filter((checkpoint) => !isSame(checkpoint) && (startStep === 0 || (checkpoint.step > startStep && checkpoint.step <= maxSteps)));
  if (foreign.length > 0) {
    const them = foreign.length === 1 ? "it" : "them";
    if (!overwrite) {
      const ways = startStep === 0 ? `resume one by its path (${names.resumeFrom(foreign.at(-1)!.path)}), choose another ${names.outputDir}` : `move ${them} elsewhere, choose another ${names.outputDir}`;
      const what = startStep === 0 ? `${outputDir} holds checkpoints ${ofOthers(foreign)}` : `this run (steps ${startStep + 1}–${maxSteps}) would save over checkpoints ${ofOthers(foreign)} in ${outputDir}`;
      throw new ArgumentError(names.outputDir, `${what}: ${describeGroups(foreign)}; ${ways}, or pass ${names.overwrite} to delete ${them}`);
    }
    console.error(`embedtune: deleting the checkpoints ${ofOthers(foreign)} in ${outputDir} (${names.overwrite}): ${describeGroups(foreign)}`);
    for (const { path } of foreign) withFileSystemErrorsSync(path, "deleting another run's checkpoint", () => rmSync(path, { recursive: true, force: true }));
  }
  const own = checkpoints.filter(isSame);
  if (startStep === 0 && own.length > 0) {
    printNote(
      `embedtune: ${outputDir} holds ${own.map(({ path }) => basename(path)).join(", ")} of this same run configuration: starting over (the run saves the same checkpoints again); to continue from ${basename(own.at(-1)!.path)} instead, pass ${names.resumeLatest}`,
    );
  }
}

/** "of another run configuration", "of an unknown run configuration" or "of other or unknown run configurations". */
function ofOthers(checkpoints: readonly FolderCheckpoint[]): string {
  const unknown = checkpoints.filter(({ differences }) => differences === undefined).length;
  if (unknown === 0) return "of another run configuration";
  return unknown === checkpoints.length ? "of an unknown run configuration" : "of other or unknown run configurations";
}

/** "checkpoint-100, checkpoint-214 (numTrainEpochs 3 → 1, train data differs); checkpoint-50 (configuration unknown)", one group per configuration. */
function describeGroups(checkpoints: readonly FolderCheckpoint[]): string {
  const groups = new Map<string, string[]>();
  for (const { path, differences } of checkpoints) {
    const why = differences === undefined ? "configuration unknown" : differences.join(", ");
    groups.set(why, [...(groups.get(why) ?? []), basename(path)]);
  }
  return [...groups].map(([why, names]) => `${names.join(", ")} (${why})`).join("; ");
}
