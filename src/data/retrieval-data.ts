// A retrieval data set in BEIR layout, as InformationRetrievalEvaluator takes it:
//   corpus.parquet | corpus.jsonl      id (or BEIR's _id), text, optional title → corpus[id] = (title + " " + text).trim()
//                                      (BEIR's and ST's join; without a title column the text as it is)
//   queries.parquet | queries.jsonl    id (or _id), text                      → queries[id] = text
//   qrels/{split}.tsv | .parquet | .jsonl (BEIR: header query-id, corpus-id, score), else a flat
//   qrels.parquet | qrels.jsonl | qrels.tsv                                   → relevantDocs[query id] ∋ corpus id
//                                      for every row with score > 0 (all rows when there is no score column)
// (parquet is read before jsonl when both exist). Ids may be strings or whole numbers (made strings).
// Bad input is one line naming the file and column before anything is encoded: a missing file or column,
// an empty corpus or query file, a duplicate id, a qrels row naming an id that is not in the corpus or
// queries, a score that is not a number, no qrels row with score > 0. Queries without a relevant document
// are kept here; the evaluator skips them with one note line, as sentence-transformers does.

import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Dataset } from "./dataset.ts";
import { DataLoadError } from "./errors.ts";
import { loadDataFile } from "./load-dataset.ts";
import { readDataFile } from "./parquet.ts";

export interface RetrievalData {
  queries: Record<string, string>;
  corpus: Record<string, string>;
  relevantDocs: Record<string, Set<string>>;
}

export interface LoadRetrievalDataOptions {
  /** The qrels split: qrels/{split}.tsv (or .parquet, .jsonl). Default "test". */
  split?: string;
}

export async function loadRetrievalData(directory: string, options: LoadRetrievalDataOptions = {}): Promise<RetrievalData> {
  if (typeof directory !== "string" || directory === "") throw new DataLoadError(String(directory), "is not a folder path");
  if (!existsSync(directory)) throw new DataLoadError(directory, "no such folder");
  if (!statSync(directory).isDirectory()) throw new DataLoadError(directory, "is a file, not a folder in BEIR layout (corpus, queries, qrels)");
  const split = options.split ?? "test";
  if (typeof split !== "string" || split === "" || /[/\\]/.test(split)) throw new DataLoadError(directory, `split ${JSON.stringify(split)} is not a split name`);

  const corpusFile = findFile(directory, ["corpus.parquet", "corpus.jsonl"], "corpus");
  const queriesFile = findFile(directory, ["queries.parquet", "queries.jsonl"], "queries");
  const qrelsFile = findQrels(directory, split, options.split !== undefined);

  const corpusTable = await readTable(corpusFile);
  const queriesTable = await readTable(queriesFile);
  const qrelsTable = qrelsFile.endsWith(".tsv") ? readTsv(qrelsFile) : await readTable(qrelsFile);

  const corpus = textsById(corpusTable, corpusFile, "corpus", true);
  const queries = textsById(queriesTable, queriesFile, "queries", false);

  const queryColumn = pickColumn(qrelsTable, qrelsFile, ["query_id", "query-id"]);
  const corpusColumn = pickColumn(qrelsTable, qrelsFile, ["corpus_id", "corpus-id"]);
  const scoreColumn = qrelsTable.names.includes("score") ? "score" : undefined;
  const queryIds = qrelsTable.column(queryColumn);
  const corpusIds = qrelsTable.column(corpusColumn);
  const scores = scoreColumn === undefined ? undefined : qrelsTable.column(scoreColumn);
  if (qrelsTable.rows === 0) throw new DataLoadError(qrelsFile, "has no rows; every evaluated query needs a relevant document");
  const relevantDocs: Record<string, Set<string>> = {};
  for (let row = 0; row < qrelsTable.rows; row++) {
    const queryId = idOf(queryIds[row], qrelsFile, queryColumn, qrelsTable.where(row));
    const corpusId = idOf(corpusIds[row], qrelsFile, corpusColumn, qrelsTable.where(row));
    if (!Object.hasOwn(queries, queryId)) {
      throw new DataLoadError(qrelsFile, `column "${queryColumn}", ${qrelsTable.where(row)}: ${JSON.stringify(queryId)} is not a query id of ${queriesFile}`);
    }
    if (!Object.hasOwn(corpus, corpusId)) {
      throw new DataLoadError(qrelsFile, `column "${corpusColumn}", ${qrelsTable.where(row)}: ${JSON.stringify(corpusId)} is not a document id of ${corpusFile}`);
    }
    const score = scores === undefined ? 1 : scores[row];
    if (typeof score !== "number" || !Number.isFinite(score)) {
      throw new DataLoadError(qrelsFile, `column "score", ${qrelsTable.where(row)}: ${JSON.stringify(score)} is not a number`);
    }
    if (score > 0) (relevantDocs[queryId] ??= new Set()).add(corpusId);
  }
  if (Object.keys(relevantDocs).length === 0) throw new DataLoadError(qrelsFile, 'no row has score > 0, so no query has a relevant document');
  return { queries, corpus, relevantDocs };
}

/** A table read from a data file: column access and how to name a row in messages. */
interface Table {
  names: string[];
  rows: number;
  column(name: string): readonly unknown[];
  where(row: number): string;
}

async function readTable(file: string): Promise<Table> {
  const dataset: Dataset = await loadDataFile(file.endsWith(".parquet") ? "parquet" : "jsonl", file);
  return { names: dataset.columnNames, rows: dataset.numRows, column: (name) => dataset.column(name), where: (row) => `row ${row}` };
}

/** A tab-separated qrels file with a header row (BEIR: query-id, corpus-id, score); scores become numbers. */
function readTsv(file: string): Table {
  const text = readDataFile(file).toString("utf8").replace(/^\uFEFF/, "");
  const lines = text.split("\n").map((line) => line.replace(/\r$/, ""));
  while (lines.length > 0 && lines[lines.length - 1].trim() === "") lines.pop();
  if (lines.length === 0) throw new DataLoadError(file, "is empty; a qrels file starts with the header query-id, corpus-id, score");
  const names = lines[0].split("\t").map((name) => name.trim());
  const columns = new Map<string, unknown[]>(names.map((name) => [name, []]));
  const lineNumbers: number[] = [];
  for (let index = 1; index < lines.length; index++) {
    if (lines[index].trim() === "") continue;
    const fields = lines[index].split("\t");
    if (fields.length !== names.length) throw new DataLoadError(file, `line ${index + 1} has ${fields.length} tab-separated fields, the header ${names.length}`);
    names.forEach((name, column) => {
      const field = fields[column].trim();
      columns.get(name)!.push(name === "score" ? (field === "" || Number.isNaN(Number(field)) ? field : Number(field)) : field);
    });
    lineNumbers.push(index + 1);
  }
  if (!names.some((name) => name === "query-id" || name === "query_id")) {
    throw new DataLoadError(file, `the header row is [${names.join(", ")}]; a BEIR qrels file starts with query-id, corpus-id, score`);
  }
  return { names, rows: lineNumbers.length, column: (name) => columns.get(name)!, where: (row) => `line ${lineNumbers[row]}` };
}

function findFile(directory: string, candidates: readonly string[], what: string): string {
  for (const name of candidates) {
    const path = join(directory, name);
    if (existsSync(path)) return path;
  }
  throw new DataLoadError(directory, `has no ${candidates.join(" or ")} (a retrieval folder in BEIR layout holds the ${what}, queries and qrels)`);
}

function findQrels(directory: string, split: string, splitGiven: boolean): string {
  const folder = join(directory, "qrels");
  if (existsSync(folder) && statSync(folder).isDirectory()) {
    for (const extension of ["tsv", "parquet", "jsonl"]) {
      const path = join(folder, `${split}.${extension}`);
      if (existsSync(path)) return path;
    }
    throw new DataLoadError(folder, `has no ${split}.tsv, ${split}.parquet or ${split}.jsonl for split "${split}"`);
  }
  for (const name of ["qrels.parquet", "qrels.jsonl", "qrels.tsv"]) {
    const path = join(directory, name);
    if (existsSync(path)) {
      if (splitGiven && split !== "test") throw new DataLoadError(path, `is the folder's only qrels file; split "${split}" needs qrels/${split}.tsv`);
      return path;
    }
  }
  throw new DataLoadError(directory, `has no qrels.parquet, qrels.jsonl or qrels/${split}.tsv (a retrieval folder in BEIR layout holds the corpus, queries and qrels)`);
}

function pickColumn(table: Table, file: string, candidates: readonly string[]): string {
  const found = candidates.find((name) => table.names.includes(name));
  if (found === undefined) {
    throw new DataLoadError(file, `has no column "${candidates[0]}"${candidates.length > 1 ? ` (or ${candidates.slice(1).map((name) => `"${name}"`).join(", ")})` : ""}; its columns are [${table.names.join(", ")}]`);
  }
  return found;
}

function idOf(value: unknown, file: string, column: string, where: string): string {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  if (typeof value === "bigint") return value.toString();
  throw new DataLoadError(file, `column "${column}", ${where}: ${value === "" ? "an empty id" : `${JSON.stringify(value) ?? String(value)} is not an id (a string or a whole number)`}`);
}

/** { id: text } of a corpus or queries file; duplicate ids and non-string texts are errors. */
function textsById(table: Table, file: string, what: string, joinTitle: boolean): Record<string, string> {
  if (table.rows === 0) throw new DataLoadError(file, `has no rows; the ${what} needs at least one ${what === "corpus" ? "document" : "query"}`);
  const idColumn = pickColumn(table, file, ["id", "_id"]);
  const textColumn = pickColumn(table, file, ["text"]);
  const ids = table.column(idColumn);
  const texts = table.column(textColumn);
  const titles = joinTitle && table.names.includes("title") ? table.column("title") : undefined;
  const result: Record<string, string> = {};
  const firstRow = new Map<string, number>();
  for (let row = 0; row < table.rows; row++) {
    const id = idOf(ids[row], file, idColumn, table.where(row));
    const seen = firstRow.get(id);
    if (seen !== undefined) throw new DataLoadError(file, `column "${idColumn}" holds ${JSON.stringify(id)} twice (${table.where(seen)} and ${table.where(row)})`);
    firstRow.set(id, row);
    const text = texts[row];
    if (typeof text !== "string") throw new DataLoadError(file, `column "${textColumn}", ${table.where(row)}: ${text === null || text === undefined ? "missing" : `a ${typeof text}`}, not a string`);
    let value = text;
    if (titles) {
      const title = titles[row] ?? "";
      if (typeof title !== "string") throw new DataLoadError(file, `column "title", ${table.where(row)}: a ${typeof title}, not a string`);
      value = `${title} ${text}`.trim();
    }
    result[id] = value;
  }
  return result;
}
