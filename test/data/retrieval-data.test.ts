// loadRetrievalData: BEIR layout as parquet (id/title/text, query_id/corpus_id/score), as BEIR's own jsonl
// (_id, title, text) with qrels/{split}.tsv (query-id, corpus-id, score), and one-line errors for bad input.

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DataLoadError } from "../../src/data/errors.ts";
import { writeParquet } from "../../src/data/parquet.ts";
import { loadRetrievalData } from "../../src/data/retrieval-data.ts";
import { projectRoot, sharedPath, skipUnlessShared } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { expectError } from "./expect-error.ts";

interface Layout {
  corpus?: Record<string, unknown[]>;
  queries?: Record<string, unknown[]>;
  qrels?: Record<string, unknown[]>;
}

const CORPUS = { id: ["d1", "d2", "d3"], title: ["Alpha", "", null], text: [" first text ", "second text ", "third"] };
const QUERIES = { id: ["q1", "q2", "q3"], text: ["what is alpha?", " second? ", "unjudged"] };
const QRELS = { query_id: ["q1", "q1", "q2", "q2"], corpus_id: ["d1", "d3", "d2", "d1"], score: [1, 2, 1, 0] };

function parquetFolder(layout: Layout = {}): string {
  const dir = temporaryDirectory();
  writeParquet(join(dir, "corpus.parquet"), layout.corpus ?? CORPUS);
  writeParquet(join(dir, "queries.parquet"), layout.queries ?? QUERIES);
  writeParquet(join(dir, "qrels.parquet"), layout.qrels ?? QRELS);
  return dir;
}

const jsonl = (rows: object[]) => rows.map((row) => JSON.stringify(row)).join("\n") + "\n";

function beirFolder(qrelsTsv = "query-id\tcorpus-id\tscore\nq1\t10\t1\nq1\t11\t1\r\n42\t11\t2\n"): string {
  const dir = temporaryDirectory();
  writeFileSync(
    join(dir, "corpus.jsonl"),
    jsonl([
      { _id: "10", title: "Title A", text: "Text A", metadata: {} },
      { _id: "11", title: "", text: "Text B " },
    ]),
  );
  writeFileSync(join(dir, "queries.jsonl"), jsonl([{ _id: "q1", text: "Query one", metadata: {} }, { _id: 42, text: "Query two" }]));
  mkdirSync(join(dir, "qrels"));
  writeFileSync(join(dir, "qrels", "test.tsv"), qrelsTsv);
  return dir;
}

test("parquet layout: title joined as (title + ' ' + text).strip(), qrels with score > 0 grouped per query", async () => {
  const data = await loadRetrievalData(parquetFolder());
  assert.deepEqual(data.corpus, { d1: "Alpha  first text", d2: "second text", d3: "third" });
  assert.deepEqual(data.queries, { q1: "what is alpha?", q2: " second? ", q3: "unjudged" });
  assert.deepEqual(data.relevantDocs, { q1: new Set(["d1", "d3"]), q2: new Set(["d2"]) });
});

test("without a title column the corpus text is kept as it is; without a score column every qrels row counts", async () => {
  const dir = parquetFolder({ corpus: { id: ["d1", "d2"], text: [" a ", "b"] }, qrels: { query_id: ["q1"], corpus_id: ["d2"] } });
  const data = await loadRetrievalData(dir);
  assert.deepEqual(data.corpus, { d1: " a ", d2: "b" });
  assert.deepEqual(data.relevantDocs, { q1: new Set(["d2"]) });
});

test("BEIR jsonl (_id, title, text) with qrels/test.tsv; numeric ids become strings; CRLF lines", async () => {
  const data = await loadRetrievalData(beirFolder());
  assert.deepEqual(data.corpus, { 10: "Title A Text A", 11: "Text B" });
  assert.deepEqual(data.queries, { q1: "Query one", 42: "Query two" });
  assert.deepEqual(data.relevantDocs, { q1: new Set(["10", "11"]), 42: new Set(["11"]) });
});

test("split picks qrels/{split}.tsv", async () => {
  const dir = beirFolder();
  writeFileSync(join(dir, "qrels", "dev.tsv"), "query-id\tcorpus-id\tscore\nq1\t11\t1\n");
  assert.deepEqual((await loadRetrievalData(dir, { split: "dev" })).relevantDocs, { q1: new Set(["11"]) });
  await expectError(() => loadRetrievalData(dir, { split: "train" }), DataLoadError, join(dir, "qrels"), "train.tsv");
});

test("the project's data/retrieval folder: 300 passages, 300 queries, one relevant passage each", async () => {
  const data = await loadRetrievalData(join(projectRoot, "data/retrieval"));
  assert.equal(Object.keys(data.corpus).length, 300);
  assert.equal(Object.keys(data.queries).length, 300);
  assert.equal(Object.keys(data.relevantDocs).length, 300);
  for (const docs of Object.values(data.relevantDocs)) assert.equal(docs.size, 1);
});

test("../shared squad-retrieval: 1,023 of each; the title starts each corpus text", { skip: skipUnlessShared("data/squad-retrieval/corpus.parquet") }, async () => {
  const data = await loadRetrievalData(sharedPath("data/squad-retrieval"));
  assert.equal(Object.keys(data.corpus).length, 1023);
  assert.equal(Object.keys(data.queries).length, 1023);
  assert.ok(data.corpus.Super_Bowl_50_p0.startsWith("Super Bowl 50 Super Bowl 50 was an American football game"));
});

test("bad input: one line naming the file and column", async () => {
  const missing = temporaryDirectory();
  await expectError(() => loadRetrievalData(join(missing, "nope")), DataLoadError, join(missing, "nope"), "no such folder");
  await expectError(() => loadRetrievalData(missing), DataLoadError, missing, "corpus.parquet or corpus.jsonl");

  let dir = parquetFolder({ corpus: { id: [], text: [] } });
  await expectError(() => loadRetrievalData(dir), DataLoadError, join(dir, "corpus.parquet"), "has no rows");

  dir = parquetFolder({ corpus: { id: ["d1", "d2", "d1"], text: ["a", "b", "c"] } });
  await expectError(() => loadRetrievalData(dir), DataLoadError, join(dir, "corpus.parquet"), 'column "id" holds "d1" twice (row 0 and row 2)');

  dir = parquetFolder({ queries: { id: ["q1", "q1"], text: ["a", "b"] } });
  await expectError(() => loadRetrievalData(dir), DataLoadError, join(dir, "queries.parquet"), 'column "id" holds "q1" twice');

  dir = parquetFolder({ qrels: { query_id: ["q1", "q9"], corpus_id: ["d1", "d1"], score: [1, 1] } });
  await expectError(() => loadRetrievalData(dir), DataLoadError, join(dir, "qrels.parquet"), 'column "query_id", row 1: "q9" is not a query id');

  dir = parquetFolder({ qrels: { query_id: ["q1"], corpus_id: ["d7"], score: [1] } });
  await expectError(() => loadRetrievalData(dir), DataLoadError, join(dir, "qrels.parquet"), 'column "corpus_id", row 0: "d7" is not a document id');

  dir = parquetFolder({ qrels: { query_id: ["q1"], document: ["d1"], score: [1] } });
  await expectError(() => loadRetrievalData(dir), DataLoadError, join(dir, "qrels.parquet"), 'has no column "corpus_id"', "[query_id, document, score]");

  dir = parquetFolder({ corpus: { id: ["d1"], body: ["a"] } });
  await expectError(() => loadRetrievalData(dir), DataLoadError, join(dir, "corpus.parquet"), 'has no column "text"');

  dir = parquetFolder({ corpus: { id: ["d1", "d2"], text: ["a", null] } });
  await expectError(() => loadRetrievalData(dir), DataLoadError, join(dir, "corpus.parquet"), 'column "text", row 1: missing');

  dir = parquetFolder({ qrels: { query_id: ["q1"], corpus_id: ["d1"], score: ["high"] } });
  await expectError(() => loadRetrievalData(dir), DataLoadError, join(dir, "qrels.parquet"), 'column "score", row 0: "high" is not a number');

  dir = parquetFolder({ qrels: { query_id: ["q1"], corpus_id: ["d1"], score: [0] } });
  await expectError(() => loadRetrievalData(dir), DataLoadError, join(dir, "qrels.parquet"), "no row has score > 0");

  dir = parquetFolder();
  await expectError(() => loadRetrievalData(dir, { split: "dev" }), DataLoadError, join(dir, "qrels.parquet"), 'split "dev" needs qrels/dev.tsv');

  dir = beirFolder("qid\tdoc\tscore\nq1\t10\t1\n");
  await expectError(() => loadRetrievalData(dir), DataLoadError, join(dir, "qrels", "test.tsv"), "header row is [qid, doc, score]");

  dir = beirFolder("query-id\tcorpus-id\tscore\nq1\t10\n");
  await expectError(() => loadRetrievalData(dir), DataLoadError, join(dir, "qrels", "test.tsv"), "line 2 has 2 tab-separated fields");

  dir = beirFolder("query-id\tcorpus-id\tscore\nq1\t10\t1\nq1\t99\t1\n");
  await expectError(() => loadRetrievalData(dir), DataLoadError, join(dir, "qrels", "test.tsv"), 'column "corpus-id", line 3: "99" is not a document id');
});
