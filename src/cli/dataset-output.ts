// A Dataset written to a file whose extension names the format, as Hugging Face's Dataset.to_parquet /
// to_json(lines=True) / to_csv write it:
//   .parquet: strings → UTF8 BYTE_ARRAY, integers → INT64, other numbers → DOUBLE, booleans → BOOLEAN,
//             arrays (a list of texts or of scores per row) → 3-level LIST of those; nulls allowed;
//   .jsonl:   one JSON object per row, columns in order;
//   .csv:     a header row, RFC 4180 quoting (LF line ends), an array cell as its JSON text.
// The file is written beside its place and renamed into it at the end (io/byte-outputs.ts), so a failure
// leaves an earlier file as it was. Refusing to replace a user's file is the caller's decision.

import { extname } from "node:path";
import { parquetWriteBuffer, type ColumnSource } from "hyparquet-writer";
import type { Dataset } from "../data/dataset.ts";
import { ArgumentError } from "../errors.ts";
import type { ByteOutput } from "../io/byte-outputs.ts";

export type DatasetFileFormat = "parquet" | "jsonl" | "csv";

const EXTENSIONS: Record<string, DatasetFileFormat> = { ".parquet": "parquet", ".jsonl": "jsonl", ".csv": "csv" };

/** The format of an output file from its extension; `argument` (e.g. "--out") names it in errors. */
export function datasetFileFormat(path: string, argument: string): DatasetFileFormat {
  const extension = extname(path).toLowerCase();
  const format = EXTENSIONS[extension];
  if (format === undefined) {
    const found = extension === "" ? `${JSON.stringify(path)} has no extension` : `unknown extension "${extension}"`;
    throw new ArgumentError(argument, `${found}: use .parquet, .jsonl or .csv`);
  }
  return format;
}

/** Writes `dataset` in `format` to `output` and commits it. */
export async function writeDatasetTo(output: ByteOutput, dataset: Dataset, format: DatasetFileFormat): Promise<void> {
  if (format === "parquet") await output.append(parquetBytes(dataset));
  else if (format === "jsonl") {
    const lines: string[] = [];
    for (const row of dataset.rows()) lines.push(`${JSON.stringify(row)}\n`);
    await output.append(lines.join(""));
  } else await output.append(csvText(dataset));
  await output.commit();
}

function csvText(dataset: Dataset): string {
  const field = (value: unknown) => {
    const text = value === null || value === undefined ? "" : typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
    return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [dataset.columnNames.map(field).join(",")];
  for (const row of dataset.rows()) lines.push(dataset.columnNames.map((name) => field(row[name])).join(","));
  return `${lines.join("\n")}\n`;
}

type Leaf = "STRING" | "INT64" | "DOUBLE" | "BOOLEAN";

/** The parquet type of a column's values (or of their elements, for a column of arrays). */
function leafType(column: string, values: readonly unknown[]): { leaf: Leaf; list: boolean } {
  const present = values.filter((value) => value !== null && value !== undefined);
  const list = present.length > 0 && present.every((value) => Array.isArray(value));
  const items = list ? present.flatMap((value) => (value as unknown[]).filter((item) => item !== null && item !== undefined)) : present;
  const kinds = new Set(items.map((item) => typeof item));
  if (kinds.size > 1 || (present.some((value) => Array.isArray(value)) && !list)) {
    throw new ArgumentError(`column "${column}"`, `mixes value types (${[...kinds].join(", ")}); a parquet column holds one type`);
  }
  const kind = [...kinds][0] ?? "string";
  if (kind === "string") return { leaf: "STRING", list };
  if (kind === "boolean") return { leaf: "BOOLEAN", list };
  if (kind === "number") return { leaf: (items as number[]).every((item) => Number.isSafeInteger(item)) ? "INT64" : "DOUBLE", list };
  throw new ArgumentError(`column "${column}"`, `holds ${kind} values, which cannot be written to parquet`);
}

function parquetBytes(dataset: Dataset): Uint8Array {
  const schema: NonNullable<Parameters<typeof parquetWriteBuffer>[0]["schema"]> = [{ name: "root", num_children: dataset.columnNames.length }];
  const columnData: ColumnSource[] = [];
  for (const name of dataset.columnNames) {
    const values = dataset.column(name);
    const { leaf, list } = leafType(name, values);
    const element =
      leaf === "STRING"
        ? { type: "BYTE_ARRAY" as const, converted_type: "UTF8" as const }
        : leaf === "INT64"
          ? { type: "INT64" as const }
          : { type: leaf };
    const convert = (value: unknown) => (leaf === "INT64" && typeof value === "number" ? BigInt(value) : value);
    if (list) {
      schema.push(
        { name, repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        { name: "element", repetition_type: "OPTIONAL", ...element },
      );
      columnData.push({ name, data: values.map((value) => (value === undefined ? null : (value as unknown[] | null)?.map(convert) ?? null)) });
    } else {
      schema.push({ name, repetition_type: "OPTIONAL", ...element });
      columnData.push({ name, data: values.map((value) => (value === undefined ? null : convert(value))) });
    }
  }
  return new Uint8Array(parquetWriteBuffer({ columnData, schema, codec: "SNAPPY", createdBy: "embedtune" }));
}
