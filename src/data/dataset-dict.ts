// Hugging Face `datasets.DatasetDict` in camelCase: named splits ("train", "dev" or "validation", "test",
// …) of Datasets, in insertion order. Asking for a split that is not there throws an ArgumentError naming
// it and listing the splits that exist. In a notebook it prints as its repr and the first split's first rows.
import { inspect } from "node:util";
import { ArgumentError } from "../errors.ts";
import { inNotebook } from "../notebook/display.ts";
import { PREVIEW_ROWS } from "../notebook/inspect.ts";
import { tableText } from "../notebook/table.ts";
import type { Dataset } from "./dataset.ts";

export class DatasetDict {
  readonly #splits: ReadonlyMap<string, Dataset>;

  constructor(splits: Readonly<Record<string, Dataset>> | Iterable<readonly [string, Dataset]>) {
    const entries = Symbol.iterator in splits ? [...(splits as Iterable<readonly [string, Dataset]>)] : Object.entries(splits);
    this.#splits = new Map(entries.map(([name, dataset]) => [name, dataset]));
  }

  /** The split names, in order. */
  get splits(): string[] {
    return [...this.#splits.keys()];
  }

  /** Rows per split ({ train: 5749, … }). */
  get numRows(): Record<string, number> {
    return Object.fromEntries([...this.#splits].map(([name, dataset]) => [name, dataset.numRows]));
  }

  has(split: string): boolean {
    return this.#splits.has(split);
  }

  get(split: string): Dataset {
    const dataset = this.#splits.get(split);
    if (!dataset) throw new ArgumentError(`split "${split}"`, `no such split (splits: ${this.splits.join(", ") || "none"})`);
    return dataset;
  }

  get train(): Dataset {
    return this.get("train");
  }

  /** The split "dev" (all-nli's and the project's data name their validation split so). */
  get dev(): Dataset {
    return this.get("dev");
  }

  get validation(): Dataset {
    return this.get("validation");
  }

  get test(): Dataset {
    return this.get("test");
  }

  [Symbol.iterator](): IterableIterator<[string, Dataset]> {
    return this.#splits.entries();
  }

  /** Like Python's repr: DatasetDict({ train: Dataset({...}) … }) with every split indented by four spaces. */
  toString(): string {
    const body = [...this.#splits].map(([name, dataset]) => `${name}: ${dataset.toString()}`).join("\n");
    return `DatasetDict({\n${body.replace(/^/gm, "    ")}\n})`;
  }

  /** The repr; in a notebook followed by the first rows of the first split. */
  [inspect.custom](): string {
    const [first, dataset] = [...this.#splits][0] ?? [];
    if (!inNotebook() || !dataset) return this.toString();
    return `${this.toString()}\n${first}, first rows:\n${tableText(dataset, { maxRows: PREVIEW_ROWS, maxTextLength: 40 })}`;
  }
}
