// Hugging Face `datasets.Dataset` in camelCase: an immutable table held as named columns of equal length.
// Every method returns a new Dataset (columns are frozen arrays, rows are fresh objects); shuffling and
// splitting use the project's seeded generator, so a seed gives the same order everywhere (not numpy's).
import { inspect } from "node:util";
import type { DataFrame } from "danfojs-node";
import { ArgumentError } from "../errors.ts";
import { inNotebook } from "../notebook/display.ts";
import { PREVIEW_ROWS, shortenDataFramesInNotebook } from "../notebook/inspect.ts";
import { tableText, type DataFrameLike } from "../notebook/table.ts";
import { randomPermutation } from "../util/random.ts";
import { DatasetDict } from "./dataset-dict.ts";

export type Row = Record<string, unknown>;
export type ColumnValues = ArrayLike<unknown>;
export type Columns = Readonly<Record<string, ColumnValues>> | ReadonlyMap<string, ColumnValues>;

export interface ShuffleOptions {
  /** Any integer; without one the order is random (as in Hugging Face). */
  seed?: number;
}

export interface TrainTestSplitOptions extends ShuffleOptions {
  /** A fraction in (0, 1) (test rows = ceil(n · fraction)) or a row count ≥ 1. Default 0.25 when trainSize is absent too. */
  testSize?: number;
  /** A fraction in (0, 1) (train rows = floor(n · fraction)) or a row count ≥ 1. Default: every row not in test. */
  trainSize?: number;
  /** Default true; false keeps file order: the first rows train, the next ones test. */
  shuffle?: boolean;
}

export interface MapOptions {
  /** Columns dropped before the function's output is merged in (so the function may re-create them). */
  removeColumns?: string | readonly string[];
}

export class Dataset {
  readonly #names: readonly string[];
  readonly #columns: ReadonlyMap<string, unknown[]>;
  readonly numRows: number;

  private constructor(columns: Map<string, unknown[]>, numRows: number) {
    for (const values of columns.values()) Object.freeze(values);
    this.#columns = columns;
    this.#names = Object.freeze([...columns.keys()]);
    this.numRows = numRows;
  }

  /** A dataset from `{ name: values }` (arrays or typed arrays of equal length); the values are copied. */
  static fromColumns(columns: Columns): Dataset {
    const entries = columns instanceof Map ? [...columns.entries()] : Object.entries(columns);
    const copied = new Map<string, unknown[]>();
    for (const [name, values] of entries) {
      if (!isArrayLike(values)) throw new ArgumentError(`column "${name}"`, "is not an array");
      const first = copied.entries().next().value;
      if (first && first[1].length !== values.length) {
        throw new ArgumentError(`column "${name}"`, `has ${values.length} values but column "${first[0]}" has ${first[1].length}`);
      }
      copied.set(name, Array.from(values));
    }
    const numRows = copied.size === 0 ? 0 : (copied.values().next().value as unknown[]).length;
    return new Dataset(copied, numRows);
  }

  /** A dataset from row objects. Columns are the union of their keys in order of appearance; a missing key is null. */
  static fromRows(rows: Iterable<Row>): Dataset {
    const columns = new Map<string, unknown[]>();
    let count = 0;
    for (const row of rows) {
      if (typeof row !== "object" || row === null || Array.isArray(row)) {
        throw new ArgumentError(`row ${count}`, `is ${describeValue(row)}, not an object of column values`);
      }
      for (const [name, value] of Object.entries(row)) {
        let values = columns.get(name);
        if (!values) {
          values = new Array<unknown>(count).fill(null);
          columns.set(name, values);
        }
        values.push(value);
      }
      count++;
      for (const values of columns.values()) if (values.length < count) values.push(null);
    }
    return new Dataset(columns, count);
  }

  /** The column names, in order (a copy). */
  get columnNames(): string[] {
    return [...this.#names];
  }

  get numColumns(): number {
    return this.#names.length;
  }

  /** Same as numRows (Python's len(dataset)). */
  get length(): number {
    return this.numRows;
  }

  /** [numRows, numColumns] */
  get shape(): [number, number] {
    return [this.numRows, this.#names.length];
  }

  hasColumn(name: string): boolean {
    return this.#columns.has(name);
  }

  /** The values of one column, in row order. The array is frozen: it is the dataset's own storage. */
  column(name: string): unknown[] {
    const values = this.#columns.get(name);
    if (!values) throw new ArgumentError(`column "${name}"`, `no such column (columns: ${listNames(this.#names)})`);
    return values;
  }

  /** Row `index` (0-based) as a new object. */
  row(index: number): Row {
    this.#checkRowIndex(index, `row ${index}`);
    return this.#rowAt(index);
  }

  *rows(): IterableIterator<Row> {
    for (let index = 0; index < this.numRows; index++) yield this.#rowAt(index);
  }

  [Symbol.iterator](): IterableIterator<Row> {
    return this.rows();
  }

  /** The rows at `indices`, in that order (repeats allowed). */
  select(indices: Iterable<number>): Dataset {
    const chosen = Array.from(indices);
    chosen.forEach((index, position) => this.#checkRowIndex(index, `indices[${position}]`));
    return this.#withColumns(this.#names.map((name) => [name, chosen.map((index) => this.#columns.get(name)![index])]), chosen.length);
  }

  /** The rows in a seeded random order (Fisher–Yates). */
  shuffle(options: ShuffleOptions = {}): Dataset {
    return this.select(randomPermutation(this.numRows, resolveSeed(options.seed)));
  }

  /** Hugging Face's train_test_split: a DatasetDict with "train" and "test". */
  trainTestSplit(options: TrainTestSplitOptions = {}): DatasetDict {
    const { train, test } = splitSizes(this.numRows, options);
    let order: number[];
    if (options.shuffle ?? true) {
      const permutation = randomPermutation(this.numRows, resolveSeed(options.seed));
      order = [...permutation.slice(test, test + train), ...permutation.slice(0, test)];
    } else {
      order = Array.from({ length: train + test }, (_, index) => index);
    }
    return new DatasetDict({ train: this.select(order.slice(0, train)), test: this.select(order.slice(train)) });
  }

  renameColumn(from: string, to: string): Dataset {
    return this.renameColumns({ [from]: to });
  }

  /** Renames several columns at once ({ old: new }); order is kept. */
  renameColumns(mapping: Readonly<Record<string, string>>): Dataset {
    for (const from of Object.keys(mapping)) this.column(from);
    const renamed = this.#names.map((name) => (Object.hasOwn(mapping, name) ? mapping[name] : name));
    const seen = new Set<string>();
    for (const name of renamed) {
      if (seen.has(name)) throw new ArgumentError(`column "${name}"`, `renaming would give two columns this name (columns: ${listNames(this.#names)})`);
      seen.add(name);
    }
    return this.#withColumns(this.#names.map((name, index) => [renamed[index], this.#columns.get(name)!]), this.numRows);
  }

  removeColumns(names: string | readonly string[]): Dataset {
    const removed = new Set(typeof names === "string" ? [names] : names);
    for (const name of removed) this.column(name);
    return this.#withColumns(this.#names.filter((name) => !removed.has(name)).map((name) => [name, this.#columns.get(name)!]), this.numRows);
  }

  /** Keeps `names` in the order given (the way to order input columns, which losses read by position). */
  selectColumns(names: string | readonly string[]): Dataset {
    const kept = typeof names === "string" ? [names] : [...names];
    const seen = new Set<string>();
    for (const name of kept) {
      this.column(name);
      if (seen.has(name)) throw new ArgumentError(`column "${name}"`, "is selected twice");
      seen.add(name);
    }
    return this.#withColumns(kept.map((name) => [name, this.#columns.get(name)!]), this.numRows);
  }

  /** Adds a column at the end (values copied; as many as there are rows). */
  addColumn(name: string, values: ColumnValues): Dataset {
    if (this.#columns.has(name)) throw new ArgumentError(`column "${name}"`, "already exists");
    if (!isArrayLike(values)) throw new ArgumentError(`column "${name}"`, "is not an array");
    if (values.length !== this.numRows) throw new ArgumentError(`column "${name}"`, `has ${values.length} values but the dataset has ${this.numRows} rows`);
    return this.#withColumns([...this.#names.map((n): [string, unknown[]] => [n, this.#columns.get(n)!]), [name, Array.from(values)]], this.numRows);
  }

  /**
   * Applies `fn` to every row and merges the object it returns into that row (new keys become new columns,
   * existing ones are replaced; returning undefined keeps the row as it is).
   */
  map(fn: (row: Row, index: number) => Row | undefined, options: MapOptions = {}): Dataset {
    const removed = options.removeColumns === undefined ? [] : typeof options.removeColumns === "string" ? [options.removeColumns] : options.removeColumns;
    const base = removed.length > 0 ? this.removeColumns(removed) : this;
    const rows: Row[] = [];
    for (let index = 0; index < this.numRows; index++) {
      const update = fn(this.#rowAt(index), index);
      if (update !== undefined && (typeof update !== "object" || update === null || Array.isArray(update))) {
        throw new ArgumentError("map function", `returned ${describeValue(update)} for row ${index}; it must return an object of column values or undefined`);
      }
      rows.push({ ...base.#rowAt(index), ...update });
    }
    if (rows.length === 0) return base;
    return Dataset.fromRows(rows);
  }

  /** The rows for which `predicate` is true, in order. */
  filter(predicate: (row: Row, index: number) => boolean): Dataset {
    const kept: number[] = [];
    for (let index = 0; index < this.numRows; index++) if (predicate(this.#rowAt(index), index)) kept.push(index);
    return this.select(kept);
  }

  /** A danfo DataFrame of this dataset, for exploration: print(), head(), describe(). Imports danfo (~2.5 s) on first use. */
  async toDataFrame(): Promise<DataFrame> {
    const { datasetToDataFrame } = await import("./dataframe.ts");
    const frame = await datasetToDataFrame(this);
    shortenDataFramesInNotebook(frame as unknown as DataFrameLike);
    return frame;
  }

  /** Like Python's repr: Dataset({ features: [...], num_rows: N }) over four lines. */
  toString(): string {
    const features = `[${this.#names.map((name) => `'${name}'`).join(", ")}]`;
    return `Dataset({\n    features: ${features},\n    num_rows: ${this.numRows}\n})`;
  }

  /** The repr; in a notebook followed by the first rows. */
  [inspect.custom](): string {
    return inNotebook() ? `${this.toString()}\n${tableText(this, { maxRows: PREVIEW_ROWS, maxTextLength: 40 })}` : this.toString();
  }

  #rowAt(index: number): Row {
    const row: Row = {};
    for (const name of this.#names) row[name] = this.#columns.get(name)![index];
    return row;
  }

  #checkRowIndex(index: number, argument: string): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.numRows) {
      throw new ArgumentError(argument, `out of range (the dataset has ${this.numRows} rows, indices 0 to ${this.numRows - 1})`);
    }
  }

  #withColumns(entries: Iterable<[string, unknown[]]>, numRows: number): Dataset {
    return new Dataset(new Map(entries), numRows);
  }
}

/** Rows of several datasets one after the other. All must have the same columns; the first one's order is kept. */
export function concatenateDatasets(datasets: readonly Dataset[]): Dataset {
  if (datasets.length === 0) throw new ArgumentError("datasets", "is empty; there is nothing to concatenate");
  const names = datasets[0].columnNames;
  datasets.forEach((dataset, index) => {
    if (!sameNames(dataset.columnNames, names)) {
      throw new ArgumentError(`datasets[${index}]`, `has columns [${listNames(dataset.columnNames)}] but datasets[0] has [${listNames(names)}]`);
    }
  });
  return Dataset.fromColumns(new Map(names.map((name) => [name, datasets.flatMap((dataset) => dataset.column(name))])));
}

/** True when both lists hold the same names, in any order. */
export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return a.length === b.length && set.size === new Set(b).size && b.every((name) => set.has(name));
}

export function listNames(names: readonly string[]): string {
  return names.length === 0 ? "none" : names.join(", ");
}

function resolveSeed(seed: number | undefined): number {
  if (seed === undefined) return Math.floor(Math.random() * 2 ** 32);
  if (!Number.isSafeInteger(seed)) throw new ArgumentError("seed", `${seed} is not an integer`);
  return seed;
}

/** Row counts of train_test_split as Hugging Face computes them (test rounds up, train down). */
function splitSizes(rows: number, options: TrainTestSplitOptions): { train: number; test: number } {
  const testSize = options.testSize === undefined && options.trainSize === undefined ? 0.25 : options.testSize;
  let test = countOf("testSize", testSize, rows, Math.ceil);
  let train = countOf("trainSize", options.trainSize, rows, Math.floor);
  train ??= rows - test!;
  test ??= rows - train;
  if (train + test > rows) {
    throw new ArgumentError("trainSize", `train (${train}) and test (${test}) rows add up to more than the dataset's ${rows} rows`);
  }
  if (test === 0) throw new ArgumentError("testSize", `${testSize ?? "default"} gives an empty test split of a dataset of ${rows} rows`);
  if (train === 0) throw new ArgumentError("testSize", `${testSize} leaves no rows for the train split of a dataset of ${rows} rows`);
  return { train, test };
}

function countOf(argument: string, size: number | undefined, rows: number, round: (x: number) => number): number | undefined {
  if (size === undefined) return undefined;
  if (size > 0 && size < 1) return round(size * rows);
  if (Number.isInteger(size) && size >= 1 && size < rows) return size;
  throw new ArgumentError(argument, `${size} must be a fraction in (0, 1) or a row count from 1 to ${rows - 1} (the dataset has ${rows} rows)`);
}

function isArrayLike(value: unknown): value is ColumnValues {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return `${typeof value} ${String(value)}`;
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
