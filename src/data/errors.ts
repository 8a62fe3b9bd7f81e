// The error for data the user gave us that cannot be used: a missing, unreadable or malformed data file,
// or a dataset whose columns hold the wrong values. One line: `<file or source>: <what is wrong>`, where
// rows are 0-based dataset rows and lines are 1-based file lines.
import { EmbedtuneError } from "../errors.ts";

export class DataLoadError extends EmbedtuneError {
  /** `file` names the data file, glob pattern or, for in-memory data, a short description of the source. */
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${oneLine(detail)}`);
  }
}

/** Collapses line breaks so that messages quoted from libraries stay on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}
