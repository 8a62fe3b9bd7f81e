// `embedtune export-script`: writes a run as a sentence-transformers training folder (train.py,
// requirements.txt, README.md with the launch lines for one or many GPUs, data/) — from a JSON description
// (--args FILE, see src/scaleout/args-file.ts) or from a run's output folder (--run DIR with --train FILE).
// --out is checked before any data is read; a non-empty folder that holds no earlier export needs --overwrite.

import { ArgumentError } from "../errors.ts";
import type { Command } from "./main.ts";

export const exportScriptCommand: Command = {
  summary: "write a run as a sentence-transformers script (train.py, requirements, launch lines for many GPUs)",
  usage: "embedtune export-script (--args FILE | --run DIR --train FILE [--eval FILE]) --out DIR [--overwrite]",
  options: {
    args: { type: "string" },
    run: { type: "string" },
    train: { type: "string" },
    eval: { type: "string" },
    out: { type: "string" },
    overwrite: { type: "boolean" },
  },
  async run(values) {
    if (typeof values.out !== "string") throw new ArgumentError("--out", "is required: the folder to write train.py and its data into");
    const fromArgs = typeof values.args === "string";
    const fromRun = typeof values.run === "string";
    if (fromArgs === fromRun) throw new ArgumentError(fromArgs ? "--run" : "--args", "give either --args FILE (a JSON run description) or --run DIR (a run's output folder)");
    if (fromArgs && (values.train !== undefined || values.eval !== undefined)) {
      throw new ArgumentError(values.train !== undefined ? "--train" : "--eval", "goes with --run; with --args the data files are trainData and evalData in the JSON file");
    }
    const options = { overwrite: values.overwrite === true, argument: "--overwrite" };
    const { checkExportFolder, writeScriptFolder } = await import("../scaleout/export.ts");
    checkExportFolder(values.out, options);
    let written;
    if (fromArgs) {
      const { readArgsFile } = await import("../scaleout/args-file.ts");
      written = await writeScriptFolder(await readArgsFile(values.args as string), values.out, options);
    } else {
      const { readRunFolder } = await import("../scaleout/run-folder.ts");
      const { run, notes } = await readRunFolder(values.run as string, {
        train: values.train as string | undefined,
        eval: values.eval as string | undefined,
      });
      written = await writeScriptFolder(run, values.out, { ...options, notes });
    }
    console.log(`wrote ${written.files.join(", ")} into ${written.folder}; run it with: cd ${written.folder} && pip install -r requirements.txt && python train.py (README.md: several GPUs)`);
  },
};
