// Rich output for notebooks: a mime bundle (text/html, application/vnd.plotly.v1+json, text/plain, …)
// written to the running cell through the tslab kernel, optionally as one display that later calls
// replace (live progress). tslab is only reached when the process is a tslab kernel (its module is
// already loaded), so the kit never loads tslab elsewhere; outside a notebook the bundle's text/plain
// part is printed to stdout instead.

import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";

export type MimeBundle = { "text/plain": string } & Record<string, unknown>;

interface DisplayMessage {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  transient: { display_id?: string };
}

export type WriteDisplayData = (message: DisplayMessage, update: boolean) => void;

/** The parts of tslab's dist/jupyter module the kit uses (its kernel classes are reached by front-end-session.ts). */
export interface TslabJupyter {
  lastWriteDisplayData: WriteDisplayData | null;
  ZmqServer?: unknown;
  JupyterHandlerImpl?: unknown;
}

const require = createRequire(import.meta.url);

/** tslab's jupyter module when this process is a tslab kernel (the module is already loaded), else null. */
export function loadedTslabJupyter(): TslabJupyter | null {
  let path: string;
  try {
    path = require.resolve("tslab/dist/jupyter");
  } catch {
    return null;
  }
  if (!(path in require.cache)) return null;
  return require(path) as TslabJupyter;
}

/** tslab's writer for the running cell (set by its kernel for each execution), or null outside a tslab kernel. */
function tslabWriter(): WriteDisplayData | null {
  return loadedTslabJupyter()?.lastWriteDisplayData ?? null;
}

/** True inside a running tslab notebook cell. */
export function inNotebook(): boolean {
  return tslabWriter() !== null;
}

/** Text as HTML text or attribute content (the displays' tables, lines and captions). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A note for the person running this: stdout in a notebook cell (not a red stderr box), stderr elsewhere (a CLI's stdout carries results). */
export function printNote(line: string): void {
  (inNotebook() ? console.log : console.error)(line);
}

/** Shows a bundle below the running cell (the front-end picks the richest mime type it renders). */
export function displayBundle(bundle: MimeBundle): void {
  new DisplayHandle().show(bundle);
}

/** One output area that each show() replaces (a Jupyter display_id). */
export class DisplayHandle {
  private readonly id = randomBytes(8).toString("hex");
  private shown = false;

  show(bundle: MimeBundle): void {
    const write = tslabWriter();
    if (!write) {
      process.stdout.write(`${bundle["text/plain"]}\n`);
      return;
    }
    write({ data: bundle, metadata: {}, transient: { display_id: this.id } }, this.shown);
    this.shown = true;
  }
}
