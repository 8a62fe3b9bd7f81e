// fp16 / bf16 are accepted as Hugging Face's arguments (sentence-transformers' tutorial sets fp16, and so
// does tutorialArguments), but both engines train in float32. noteReducedPrecision says so, naming the
// engine the run actually uses (known once train() applied args.engine), once per process. It is a note,
// not a warning: on stdout in a notebook (a plain line, not a red stderr box in every training cell of the
// stock notebook, whose own arguments ask for fp16), on stderr elsewhere (the CLI's stdout carries results).

import type { EngineName } from "../models/sentence-transformer.ts";
import { printNote } from "../notebook/display.ts";
import type { SentenceTransformerTrainingArguments } from "./arguments.ts";

let noted = false;

export function noteReducedPrecision(args: Pick<SentenceTransformerTrainingArguments, "fp16" | "bf16">, engine: EngineName): void {
  if (noted || !(args.fp16 || args.bf16)) return;
  noted = true;
  printNote(`embedtune: note: ${args.fp16 ? "fp16" : "bf16"} requested; the ${engine} engine computes in float32, so training runs in float32.`);
}
