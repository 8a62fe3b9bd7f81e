// CSV text (RFC 4180: a header row, commas, double quotes with "" inside, LF or CRLF, quoted line breaks)
// as columns, parsed by papaparse. As pandas does for Hugging Face: blank lines are skipped, an empty field
// is null, and a column whose non-empty fields all parse as numbers holds numbers. A row with the wrong
// number of fields, a bad quote or a duplicate header name is a DataLoadError naming the file and line.
import { createRequire } from "node:module";
import { Dataset } from "./dataset.ts";
import { DataLoadError } from "./errors.ts";

/** The part of papaparse's API used here (papaparse ships no types; it comes with danfojs-node). */
interface PapaParse {
  parse(
    text: string,
    config: { delimiter: string; skipEmptyLines: false; step: (results: PapaStepResult) => void },
  ): void;
}
interface PapaStepResult {
  data: string[];
  errors: { code: string; message: string }[];
  meta: { cursor: number };
}

const NUMBER = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

let papa: PapaParse | undefined;

export function parseCsv(text: string, file: string): Dataset {
  papa ??= createRequire(import.meta.url)("papaparse") as PapaParse;
  const content = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const lines = lineCounter(content);
  let header: string[] | undefined;
  const records: string[][] = [];
  let rowStart = 0;
  papa.parse(content, {
    delimiter: ",",
    skipEmptyLines: false,
    step: ({ data, errors, meta }) => {
      const line = lines(rowStart);
      rowStart = meta.cursor;
      if (errors.length > 0) throw new DataLoadError(file, `line ${line}: ${errors[0].message}`);
      if (data.length === 1 && data[0] === "") return; // a blank line
      if (!header) {
        header = checkHeader(data, file);
      } else if (data.length !== header.length) {
        throw new DataLoadError(file, `line ${line} has ${data.length} fields, but the header has ${header.length}`);
      } else {
        records.push(data);
      }
    },
  });
  if (!header) throw new DataLoadError(file, "is empty (a CSV file needs a header row)");
  return Dataset.fromColumns(new Map(header.map((name, index) => [name, typedColumn(records.map((record) => record[index]))])));
}

function checkHeader(names: string[], file: string): string[] {
  const seen = new Set<string>();
  return names.map((raw, index) => {
    const name = raw === "" ? `Unnamed: ${index}` : raw;
    if (seen.has(name)) throw new DataLoadError(file, `line 1: column name "${name}" appears twice in the header`);
    seen.add(name);
    return name;
  });
}

/** Numbers when every non-empty field is a number; empty fields are null. */
function typedColumn(fields: string[]): (string | number | null)[] {
  const numeric = fields.every((field) => field === "" || NUMBER.test(field));
  return fields.map((field) => (field === "" ? null : numeric ? Number(field) : field));
}

/** A function from character offset to 1-based line number; offsets must not decrease between calls. */
function lineCounter(text: string): (offset: number) => number {
  let position = 0;
  let line = 1;
  return (offset) => {
    for (; position < offset; position++) if (text.charCodeAt(position) === 10) line++;
    return line;
  };
}
