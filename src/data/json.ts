// JSON data files as Hugging Face's "json" builder reads them. JSON Lines: one object per line, blank
// lines skipped, columns the union of keys (missing → null). "json" also takes a whole-file array of row
// objects or an object of equal-length column arrays. Bad JSON is a DataLoadError naming the file and line.
import { Dataset } from "./dataset.ts";
import { DataLoadError, oneLine } from "./errors.ts";

/** One JSON object per line. */
export function parseJsonLines(text: string, file: string): Dataset {
  const rows: Record<string, unknown>[] = [];
  const lines = text.split("\n");
  lines.forEach((rawLine, index) => {
    const line = index === 0 && rawLine.startsWith("\uFEFF") ? rawLine.slice(1) : rawLine;
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new DataLoadError(file, `line ${index + 1} is not valid JSON (${oneLine(error instanceof Error ? error.message : String(error))})`);
    }
    if (!isObject(value)) throw new DataLoadError(file, `line ${index + 1} is ${kindOf(value)}, not a JSON object`);
    rows.push(value);
  });
  return Dataset.fromRows(rows);
}

/** A whole-file JSON array of objects, a JSON object of column arrays, or else JSON Lines. */
export function parseJson(text: string, file: string): Dataset {
  const content = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const start = content.trimStart()[0];
  if (start !== "[" && start !== "{") return parseJsonLines(content, file);
  let whole: unknown;
  try {
    whole = JSON.parse(content);
  } catch (error) {
    if (start === "{") return parseJsonLines(content, file); // several objects: JSON Lines
    throw new DataLoadError(file, `is not valid JSON (${oneLine(error instanceof Error ? error.message : String(error))})`);
  }
  if (Array.isArray(whole)) {
    const bad = whole.findIndex((row) => !isObject(row));
    if (bad >= 0) throw new DataLoadError(file, `element ${bad} of the top-level array is ${kindOf(whole[bad])}, not a JSON object`);
    return Dataset.fromRows(whole as Record<string, unknown>[]);
  }
  const object = whole as Record<string, unknown>;
  const entries = Object.entries(object);
  if (entries.length > 0 && entries.every(([, values]) => Array.isArray(values))) {
    const lengths = new Set(entries.map(([, values]) => (values as unknown[]).length));
    if (lengths.size > 1) {
      throw new DataLoadError(file, `the column arrays have different lengths (${entries.map(([name, values]) => `${name}: ${(values as unknown[]).length}`).join(", ")})`);
    }
    return Dataset.fromColumns(object as Record<string, unknown[]>);
  }
  return Dataset.fromRows([object]); // a one-line JSON Lines file
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}
