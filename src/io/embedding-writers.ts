// Embeddings written block by block as they are computed, in the formats people load next:
//   JSON lines (.jsonl, .json, and stdout): one JSON array per sentence, as `embedtune encode` prints;
//   .npy: one float32 matrix (sentences × dimension), exactly what numpy.save writes, so numpy.load
//         reads it; the row count is written into the header at the end (npy.ts keeps its length fixed);
//   .parquet: columns `text` (string) and `embedding` (list<float32>), one row group per block, read by
//         pyarrow/pandas and by src/data/parquet.ts.
// Each writer holds at most one block (the parquet writer one encoded row group, plus a few bytes of
// metadata per row group) whatever the total. The format comes from the output file's extension;
// anything else is a one-line ArgumentError naming the option.

import { extname } from "node:path";
import { ByteWriter, ParquetWriter, type SchemaElement } from "hyparquet-writer";
import { ArgumentError } from "../errors.ts";
import type { ByteOutput } from "./byte-outputs.ts";
import { float32Bytes, npyHeader } from "./npy.ts";

export type EmbeddingFormat = "jsonl" | "npy" | "parquet";

export interface EmbeddingWriter {
  /** Writes one block: `texts[i]` is the sentence whose embedding is `embeddings[i]`. */
  write(texts: readonly string[], embeddings: readonly (readonly number[])[]): Promise<void>;
  /** Completes the file (npy header, parquet footer) and commits the output. */
  finish(): Promise<void>;
}

const EXTENSIONS: Record<string, EmbeddingFormat> = { ".jsonl": "jsonl", ".json": "jsonl", ".npy": "npy", ".parquet": "parquet" };

/** The format an output file's extension asks for; `argument` (e.g. "--output") names it in errors. */
export function embeddingFormat(path: string, argument: string): EmbeddingFormat {
  const extension = extname(path).toLowerCase();
  const format = EXTENSIONS[extension];
  if (format === undefined) {
    const found = extension === "" ? `${JSON.stringify(path)} has no extension` : `unknown extension "${extension}"`;
    throw new ArgumentError(argument, `${found}: use .jsonl (or .json) for JSON lines, .npy for a NumPy float32 matrix, .parquet for text + embedding columns`);
  }
  return format;
}

export function embeddingWriter(format: EmbeddingFormat, output: ByteOutput): EmbeddingWriter {
  switch (format) {
    case "jsonl":
      return jsonLinesWriter(output);
    case "npy":
      return npyWriter(output);
    case "parquet":
      return parquetWriter(output);
  }
}

function jsonLinesWriter(output: ByteOutput): EmbeddingWriter {
  return {
    write: (_texts, embeddings) => output.append(embeddings.map((embedding) => `${JSON.stringify(embedding)}\n`).join("")),
    finish: () => output.commit(),
  };
}

function npyWriter(output: ByteOutput): EmbeddingWriter {
  const overwrite = output.overwrite;
  if (!overwrite) throw new Error("an .npy file needs an output that can be overwritten in place");
  let dimension: number | undefined;
  let rows = 0;
  return {
    async write(_texts, embeddings) {
      if (embeddings.length === 0) return;
      if (dimension === undefined) {
        dimension = embeddings[0].length;
        await output.append(npyHeader(0, dimension));
      }
      await output.append(float32Bytes(embeddings, dimension));
      rows += embeddings.length;
    },
    async finish() {
      if (dimension === undefined) throw new Error("no embeddings were written to the .npy file");
      await overwrite(npyHeader(rows, dimension), 0);
      await output.commit();
    },
  };
}

/** text: required UTF-8 string; embedding: required 3-level LIST of required FLOAT (pyarrow's list<float>). */
const PARQUET_SCHEMA: SchemaElement[] = [
  { name: "root", num_children: 2 },
  { name: "text", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "REQUIRED" },
  { name: "embedding", repetition_type: "REQUIRED", converted_type: "LIST", num_children: 1 },
  { name: "list", repetition_type: "REPEATED", num_children: 1 },
  { name: "element", type: "FLOAT", repetition_type: "REQUIRED" },
];

function parquetWriter(output: ByteOutput): EmbeddingWriter {
  // hyparquet-writer encodes into this buffer; after each row group its bytes go to the output and the
  // buffer is reused (`offset` keeps counting, so the footer's offsets stay right).
  const bytes = new ByteWriter();
  const writer = new ParquetWriter({ writer: bytes, schema: PARQUET_SCHEMA, codec: "SNAPPY", createdBy: "embedtune" });
  const drain = async () => {
    const chunk = bytes.getBytes().slice();
    bytes.index = 0;
    await output.append(chunk);
  };
  return {
    async write(texts, embeddings) {
      if (embeddings.length === 0) return;
      const result = writer.write({
        columnData: [
          { name: "text", data: [...texts] },
          { name: "embedding", data: [...embeddings] },
        ],
        rowGroupSize: embeddings.length,
      });
      await result;
      await drain();
    },
    async finish() {
      await writer.finish();
      await drain();
      await output.commit();
    },
  };
}
