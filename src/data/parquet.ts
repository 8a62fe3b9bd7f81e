// Parquet files as Datasets. Reading: hyparquet with hyparquet-compressors (uncompressed, snappy, gzip,
// zstd, brotli, lz4); top-level schema fields become columns in schema order; INT64 values that fit a safe
// integer become numbers. Writing: hyparquet-writer, strings → STRING, numbers → DOUBLE (exact float64),
// booleans → BOOLEAN, bigints → INT64, nulls allowed everywhere; snappy unless told otherwise.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { brotliCompressSync, constants as zlibConstants, gzipSync } from "node:zlib";
import { parquetMetadata, parquetRead, parquetSchema, type AsyncBuffer } from "hyparquet";
import { compressors as decompressors } from "hyparquet-compressors";
import { parquetWriteBuffer, type BasicType, type ColumnSource } from "hyparquet-writer";
import { ArgumentError } from "../errors.ts";
import { Dataset, describeValue, type Columns } from "./dataset.ts";
import { DataLoadError, oneLine } from "./errors.ts";

export type ParquetWriteCodec = "SNAPPY" | "GZIP" | "BROTLI" | "UNCOMPRESSED";

export interface WriteParquetOptions {
  /** Default "SNAPPY" (as pandas and Hugging Face write). ZSTD cannot be written: Node 20's zlib has no zstd. */
  codec?: ParquetWriteCodec;
  /** Rows per row group (hyparquet-writer's default otherwise). */
  rowGroupSize?: number;
}

const MAGIC = "PAR1";

/** Reads a whole parquet file; every failure is a one-line DataLoadError naming the file. */
export async function readParquetFile(path: string): Promise<Dataset> {
  const bytes = readDataFile(path);
  checkMagic(path, bytes);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const file: AsyncBuffer = { byteLength: buffer.byteLength, slice: (start, end) => buffer.slice(start, end) };
  try {
    const metadata = parquetMetadata(buffer);
    const names = parquetSchema(metadata).children.map((child) => child.element.name);
    let rows: unknown[][] = [];
    await parquetRead({ file, metadata, columns: names, compressors: decompressors, rowFormat: "array", onComplete: (read) => (rows = read) });
    const columns = new Map(names.map((name, index) => [name, rows.map((row) => fromParquet(row[index]))]));
    return Dataset.fromColumns(columns);
  } catch (error) {
    throw new DataLoadError(path, `corrupt parquet file (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Writes a Dataset or `{ column: values }` to a parquet file (replacing it). */
export function writeParquet(path: string, data: Dataset | Columns, options: WriteParquetOptions = {}): void {
  const dataset = data instanceof Dataset ? data : Dataset.fromColumns(data);
  const codec = options.codec ?? "SNAPPY";
  if (!["SNAPPY", "GZIP", "BROTLI", "UNCOMPRESSED"].includes(codec)) {
    throw new ArgumentError("codec", `"${codec}" cannot be written; use SNAPPY, GZIP, BROTLI or UNCOMPRESSED`);
  }
  const columnData: ColumnSource[] = dataset.columnNames.map((name) => {
    const values = dataset.column(name);
    return { name, data: values.map((value) => (value === undefined ? null : value)), type: parquetType(name, values), nullable: true };
  });
  const buffer = parquetWriteBuffer({
    columnData,
    codec,
    compressors: {
      GZIP: (input) => new Uint8Array(gzipSync(input)),
      BROTLI: (input) => new Uint8Array(brotliCompressSync(input, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5 } })),
    },
    ...(options.rowGroupSize === undefined ? {} : { rowGroupSize: options.rowGroupSize }),
  });
  writeFileSync(path, new Uint8Array(buffer));
}

/** The bytes of a data file, or a DataLoadError when it is missing, a folder or unreadable. */
export function readDataFile(path: string): Buffer {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new DataLoadError(path, "no such file");
  }
  if (!isFile) throw new DataLoadError(path, "is a folder, not a data file");
  try {
    return readFileSync(path);
  } catch (error) {
    throw new DataLoadError(path, `cannot be read (${oneLine(error instanceof Error ? error.message : String(error))})`);
  }
}

function checkMagic(path: string, bytes: Uint8Array): void {
  const text = (start: number) => String.fromCharCode(...bytes.subarray(start, start + 4));
  if (bytes.length < 12) throw new DataLoadError(path, `not a parquet file (only ${bytes.length} bytes)`);
  if (text(0) !== MAGIC) throw new DataLoadError(path, `not a parquet file (it does not start with "${MAGIC}")`);
  if (text(bytes.length - 4) !== MAGIC) throw new DataLoadError(path, `truncated parquet file (it does not end with "${MAGIC}")`);
}

function fromParquet(value: unknown): unknown {
  if (typeof value === "bigint" && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
  return value;
}

function parquetType(column: string, values: readonly unknown[]): BasicType {
  let type: BasicType | undefined;
  for (let row = 0; row < values.length; row++) {
    const value = values[row];
    if (value === null || value === undefined) continue;
    const valueType = TYPES[typeof value];
    if (valueType === undefined || (type !== undefined && valueType !== type)) {
      throw new ArgumentError(
        `column "${column}"`,
        `row ${row} holds ${describeValue(value)}${type ? ` after values of parquet type ${type}` : ""}; a column must hold only strings, numbers, booleans or bigints (and nulls)`,
      );
    }
    type = valueType;
  }
  return type ?? "STRING";
}

const TYPES: Partial<Record<string, BasicType>> = { string: "STRING", number: "DOUBLE", boolean: "BOOLEAN", bigint: "INT64" };
