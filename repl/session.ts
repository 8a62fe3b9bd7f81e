// One REPL session, whatever draws it (the Ink app or line mode): the scope with the kit (loaded in
// the background right after start, so the prompt appears at once; inputs wait for it), lines
// gathered until an input is complete, dot-commands, results rendered for a person, the last error
// for `.trace`, history, completion, and the training monitor. interrupt() is Ctrl-C while an input
// runs: it stops training at the next step, or else stops waiting for the input.

import { Console } from "node:console";
import { Writable } from "node:stream";
import { COMMAND_NAMES, runCommand, type CommandContext } from "./commands.ts";
import { complete, type Completion } from "./completion.ts";
import { Evaluator, type Evaluation, type Scope } from "./evaluator.ts";
import { History } from "./history.ts";
import { importForRepl, kitScope, loadKit, type Kit } from "./kit.ts";
import type { Output, Tone } from "./output.ts";
import { errorLine } from "./render/error.ts";
import { renderTrainingSummary } from "./render/training.ts";
import { renderValue } from "./render/value.ts";
import { TrainingMonitor } from "./training-monitor.ts";

export interface SessionOptions {
  output: Output;
  /** null keeps no history file. */
  historyFile: string | null;
  /** The terminal's width, for tables and charts. */
  width(): number;
  /** Trainers print nothing of their own (the terminal app draws their progress). */
  quietTrainers: boolean;
  /** Clears the terminal; absent in line mode. */
  clearScreen?(): void;
  /** Where the kit comes from (default: src/index.ts). */
  loadKit?: () => Promise<Kit>;
}

export type SubmitResult = "done" | "more" | "exit";
export type InterruptResult = "stopping-training" | "abandoned" | "idle";

const ABANDONED = Symbol("abandoned");

export class ReplSession {
  readonly scope: Scope = Object.create(null) as Scope;
  readonly monitor = new TrainingMonitor();
  readonly history: History;
  /** Settles once the kit is in scope (or failed to load, which was reported). */
  readonly ready: Promise<void>;
  lastError: unknown;
  private readonly evaluator: Evaluator;
  private readonly output: Output;
  private kit: Kit | undefined;
  private pendingLines: string[] = [];
  private abandonRunning: (() => void) | undefined;

  constructor(private readonly options: SessionOptions) {
    this.output = options.output;
    this.history = new History(options.historyFile);
    this.scope.console = new Console({ stdout: blockStream(this.output, "log"), stderr: blockStream(this.output, "log") });
    this.evaluator = new Evaluator(this.scope, {
      importModule: importForRepl(async () => {
        await this.ready;
        return this.scope.embedtune;
      }),
    });
    this.ready = new Promise((resolve) => setImmediate(resolve))
      .then(() => (options.loadKit ?? loadKit)())
      .then(
        (kit) => {
          this.kit = kit;
          Object.assign(this.scope, kitScope(kit, { monitor: this.monitor, quietTrainers: options.quietTrainers }));
        },
        (error: unknown) => this.output({ tone: "error", lines: [`embedtune could not be loaded: ${errorLine(error)}`] }),
      );
    this.monitor.onRunEnd((run) => this.output({ tone: "result", lines: renderTrainingSummary(run, options.width()) }));
  }

  /** True while an input runs. */
  get busy(): boolean {
    return this.abandonRunning !== undefined;
  }

  /** True while a multi-line input waits for its next line. */
  get continuing(): boolean {
    return this.pendingLines.length > 0;
  }

  /** Takes one line: runs a command, or the input once it is complete ("more" asks for the next line). */
  async submit(line: string): Promise<SubmitResult> {
    if (!this.continuing && /^\s*\.[A-Za-z]/.test(line)) {
      this.history.add(line.trim());
      const outcome = await this.whileRunning(this.runCommandSafely(line));
      return outcome === "exit" ? "exit" : "done";
    }
    this.pendingLines.push(line);
    const source = this.pendingLines.join("\n");
    if (source.trim() === "") {
      this.pendingLines = [];
      return "done";
    }
    await this.ready;
    const evaluation = await this.whileRunning(this.evaluator.evaluate(source));
    if (evaluation !== ABANDONED && evaluation.kind === "incomplete") return "more";
    this.pendingLines = [];
    this.history.add(source);
    if (evaluation !== ABANDONED) this.show(evaluation);
    return "done";
  }

  /** Ctrl-C while an input runs. */
  interrupt(): InterruptResult {
    if (!this.busy) return "idle";
    if (this.monitor.stop()) {
      this.output({ tone: "note", lines: ["Stopping training after the current step; a checkpoint is saved…"] });
      return "stopping-training";
    }
    this.abandonRunning?.();
    this.output({ tone: "note", lines: ["Interrupted: the input goes on in the background and its result will not be shown."] });
    return "abandoned";
  }

  /** Forgets a multi-line input in progress (Ctrl-C at the prompt, .clear). */
  cancelContinuation(): void {
    this.pendingLines = [];
  }

  complete(line: string, cursor: number): Completion {
    return complete(line, cursor, {
      scopeNames: () => Object.keys(this.scope),
      lookup: (path) => path.reduce<unknown>((value, name) => (value === null || value === undefined ? undefined : (value as Record<string, unknown>)[name]), this.scope),
      commands: COMMAND_NAMES,
    });
  }

  render(value: unknown): string[] {
    return renderValue(value, { width: this.options.width(), tfjsBackend: () => this.tfjsBackend() });
  }

  private show(evaluation: Evaluation): void {
    if (evaluation.kind === "value") this.output({ tone: "result", lines: this.render(evaluation.value) });
    else if (evaluation.kind === "error") this.showError(evaluation.error);
  }

  private showError(error: unknown): void {
    this.lastError = error;
    this.output({ tone: "error", lines: [errorLine(error)] });
  }

  private async runCommandSafely(line: string): Promise<"done" | "exit"> {
    try {
      return await runCommand(this.commandContext(), line);
    } catch (error) {
      this.showError(error);
      return "done";
    }
  }

  /** Marks the session busy until `work` settles or interrupt() abandons it. */
  private async whileRunning<T>(work: Promise<T>): Promise<T | typeof ABANDONED> {
    const abandoned = new Promise<typeof ABANDONED>((resolve) => (this.abandonRunning = () => resolve(ABANDONED)));
    try {
      return await Promise.race([work, abandoned]);
    } finally {
      this.abandonRunning = undefined;
    }
  }

  private commandContext(): CommandContext {
    const session = this;
    return {
      scope: this.scope,
      history: this.history,
      monitor: this.monitor,
      output: this.output,
      get lastError() {
        return session.lastError;
      },
      width: () => this.options.width(),
      kit: async () => {
        await this.ready;
        if (!this.kit) throw new Error("embedtune could not be loaded (see the error above)");
        return this.kit;
      },
      evaluate: async (source) => {
        await this.ready;
        return this.evaluator.evaluate(source);
      },
      render: (value) => this.render(value),
      clear: () => {
        this.cancelContinuation();
        this.options.clearScreen?.();
      },
    };
  }

  private tfjsBackend(): string | undefined {
    try {
      return this.kit?.backendInfo().name;
    } catch {
      return undefined;
    }
  }
}

/** A stream for a Console: each write becomes one output block of that tone. */
function blockStream(output: Output, tone: Tone): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      output({ tone, lines: String(chunk).replace(/\n$/, "").split("\n") });
      callback();
    },
  });
}
