// What the REPL shows: blocks of plain-text lines, each with a tone the terminal app colours (errors
// red, notes and logs dim, inputs as typed) and line mode routes (errors to stderr, the rest to stdout).
// A Transcript collects the blocks for the Ink app, which renders each once, above the prompt, and
// carries requests to clear the screen, which the app honours after drawing the blocks before them.

export type Tone = "input" | "result" | "error" | "note" | "log";

export interface OutputBlock {
  tone: Tone;
  lines: string[];
}

export type Output = (block: OutputBlock) => void;

export class Transcript {
  readonly blocks: OutputBlock[] = [];
  private readonly listeners = new Set<() => void>();

  readonly append: Output = (block) => {
    this.blocks.push(block);
    for (const listener of this.listeners) listener();
  };

  /** How many times the screen was asked to be cleared (.clear); the app clears when it grows. */
  clearRequests = 0;

  requestClear(): void {
    this.clearRequests += 1;
    for (const listener of this.listeners) listener();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
