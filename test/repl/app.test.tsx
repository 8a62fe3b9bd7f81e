// The Ink app under ink-testing-library, with the real kit in scope: results rendered for a person
// (tables, metrics, the model line, errors as one red line), key handling (history ↑ ↓ across
// sessions, Tab completion, multi-line continuation, Ctrl-C clearing the line, interrupting a running
// input, stopping training with a checkpoint, and exiting when pressed twice on an empty prompt).

import assert from "node:assert/strict";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, test } from "node:test";
import { temporaryDirectory } from "../support/temp.ts";

// Colours on, so the error line's red can be checked; set before Ink (and chalk) load.
process.env.FORCE_COLOR = "1";
process.env.EMBEDTUNE_CACHE = temporaryDirectory();
const { render, cleanup } = await import("ink-testing-library");
const { ReplApp, terminalSession } = await import("../../repl/app.tsx");
const { Transcript } = await import("../../repl/output.ts");

const KEYS = { up: "\u001b[A", down: "\u001b[B", tab: "\t", enter: "\r", ctrlC: "\u0003", ctrlD: "\u0004" };

const sessions: ReturnType<typeof terminalSession>[] = [];

afterEach(() => {
  // A test that fails mid-training must not leave the run going (the process would never end).
  for (const session of sessions.splice(0)) session.monitor.stop();
  cleanup();
});

function startApp(options: { historyFile?: string } = {}) {
  const transcript = new Transcript();
  const session = terminalSession(transcript, { historyFile: options.historyFile ?? null, width: () => 100 });
  sessions.push(session);
  let exits = 0;
  const app = render(<ReplApp session={session} transcript={transcript} onExit={() => (exits += 1)} />);
  const frame = () => app.lastFrame() ?? "";
  return {
    session,
    frame,
    /** The frame without colour codes. */
    text: () => frame().replace(/\u001b\[[0-9;]*m/g, ""),
    exits: () => exits,
    /** Every write to the terminal so far. */
    writes: () => app.frames,
    async press(keys: string) {
      app.stdin.write(keys);
      await new Promise((resolve) => setTimeout(resolve, 30));
    },
    async typeLine(line: string) {
      await this.press(line);
      await this.press(KEYS.enter);
    },
  };
}

type App = ReturnType<typeof startApp>;

async function until(app: App, predicate: (text: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = app.text();
    if (predicate(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`timed out waiting for ${what}; the screen shows:\n${app.text()}`);
}

/** The screen ends with an empty prompt (the last input has finished). */
const atPrompt = (text: string) => /embedtune> $/.test(text.trimEnd() + " ");

test("results are rendered for a person: a metrics table, a table of records, an error as one red line", async () => {
  const app = startApp();
  await app.typeLine(`({ "sts-dev_pearson_cosine": 0.41234, "sts-dev_spearman_cosine": 0.5 })`);
  let text = await until(app, (screen) => screen.includes("sts-dev_spearman_cosine  0.5000"), "the metrics table");
  assert.match(text, /metric\s+value\n─+  ─+\nsts-dev_pearson_cosine   0\.4123\n/);
  await app.typeLine(`[{ sentence: "a cat", score: 0.5 }, { sentence: "a dog", score: 1 }]`);
  text = await until(app, (screen) => screen.includes("2 rows × 2 columns"), "the records table");
  assert.match(text, /sentence\s+score\n.*\n0\s+a cat\s+0\.5000\n1\s+a dog\s+1\n2 rows × 2 columns/);
  await app.typeLine("notDefined + 1");
  await until(app, (screen) => screen.includes("ReferenceError"), "the error line");
  assert.match(app.frame(), /\u001b\[31mReferenceError: notDefined is not defined\u001b\[39m/, "one red line");
  assert.ok(!app.text().includes("    at "), "no stack at the prompt");
  await app.typeLine(".trace");
  await until(app, (screen) => /ReferenceError: notDefined is not defined\n\s+at /.test(screen), "the stack from .trace");
});

test(".load shows the model as one line; .data fills ds and df and shows the first rows with the count", { timeout: 60_000 }, async () => {
  const app = startApp();
  await app.typeLine(".load");
  await until(app, (screen) => screen.includes("model = SentenceTransformer · bert: 2 layers, hidden 64"), "the model line");
  await app.typeLine(".data data/pair-score/dev.parquet");
  const text = await until(app, (screen) => screen.includes("125 rows × 3 columns, first 10 shown"), "the DataFrame table");
  assert.match(text, /ds = Dataset\(125 rows: sentence1, sentence2, score\), df = its DataFrame\nDataFrame\n\s+sentence1\s+sentence2\s+score\n/);
  await app.typeLine("[ds.numRows, df.shape[0], typeof model.encode]");
  await until(app, (screen) => screen.includes("[ 125, 125, 'function' ]"), "ds, df and model in scope");
});

test("↑ and ↓ walk the history written by an earlier session, back to the line being typed", async () => {
  const historyFile = join(temporaryDirectory(), "history");
  writeFileSync(historyFile, `${JSON.stringify("const first = 1")}\n${JSON.stringify("const o = {\n  a: 1,\n}")}\n`);
  const app = startApp({ historyFile });
  await app.press("draft");
  await app.press(KEYS.up);
  assert.match(app.text(), /embedtune> const o = \{\n\.\.\. +  a: 1,\n\.\.\. +\}/);
  await app.press(KEYS.up);
  assert.match(app.text(), /embedtune> const first = 1/);
  await app.press(KEYS.down);
  await app.press(KEYS.down);
  assert.match(app.text(), /embedtune> draft/);
  await app.press("\u0015");
  await app.typeLine("40 + 2");
  await until(app, (screen) => screen.includes("\n42"), "the result");
  assert.equal(app.session.history.entries.at(-1), "40 + 2");
});

test("Tab completes names in scope and properties, listing the candidates when several remain", async () => {
  const app = startApp();
  await app.session.ready;
  await app.press("loadPa");
  await app.press(KEYS.tab);
  assert.match(app.text(), /embedtune> loadPa\s*\nloadPairScore\s+loadParquet/);
  await app.press("i");
  await app.press(KEYS.tab);
  assert.match(app.text(), /embedtune> loadPairScore\s*$/);
  await app.press("\u0015embedtune.similarityEv");
  await app.press(KEYS.tab);
  assert.match(app.text(), /embedtune> embedtune\.similarityEvaluator/);
});

test("an unfinished expression continues on the next line, and the whole input is one history entry", async () => {
  const app = startApp();
  await app.typeLine("const o = {");
  await until(app, (screen) => /\.\.\. +$/.test(screen.trimEnd() + " "), "the continuation prompt");
  await app.typeLine("  answer: 41,");
  await app.typeLine("}");
  await app.typeLine("o.answer + 1");
  const text = await until(app, (screen) => screen.includes("\n42"), "the result");
  assert.match(text, /embedtune> const o = \{\n\.\.\. +  answer: 41,\n\.\.\. +\}\nembedtune> o\.answer \+ 1\n42/);
  assert.deepEqual(app.session.history.entries, ["const o = {\n  answer: 41,\n}", "o.answer + 1"]);
});

test(".clear and Ctrl-L clear the screen after the typed command is drawn, then the prompt is drawn again", async () => {
  const app = startApp();
  const clears = () => app.writes().filter((write) => write.startsWith("\u001b[2J\u001b[3J\u001b[H"));
  await app.typeLine("1 + 1");
  await until(app, (screen) => screen.includes("\n2"), "the result");
  await app.typeLine(".clear");
  await until(app, () => clears().length === 1, "the clear-screen sequence");
  assert.match(clears()[0].replace(/\u001b\[[0-9;]*m/g, ""), /embedtune> \.clear\n/, "the typed .clear was drawn before the screen was cleared");
  await app.typeLine("3 + 4");
  await until(app, (screen) => screen.includes("\n7"), "a working prompt after .clear");
  await app.press("\u000c");
  assert.equal(clears().length, 2, "Ctrl-L clears too");
});

test("Ctrl-C clears the line; pressed twice at an empty prompt it exits, as does Ctrl-D", async () => {
  const app = startApp();
  await app.press("half typed");
  await app.press(KEYS.ctrlC);
  assert.match(app.text(), /embedtune> \s*$/);
  assert.equal(app.exits(), 0);
  await app.press(KEYS.ctrlC);
  assert.match(app.text(), /To exit, press Ctrl-C again/);
  assert.equal(app.exits(), 0);
  await app.press(KEYS.ctrlC);
  assert.equal(app.exits(), 1);

  const other = startApp();
  await other.press(KEYS.ctrlD);
  assert.equal(other.exits(), 1);
});

test("Ctrl-C while an input hangs returns to a working prompt", async () => {
  const app = startApp();
  await app.typeLine("await new Promise(() => {})");
  await until(app, (screen) => screen.includes("running…"), "the running line");
  await app.press(KEYS.ctrlC);
  await until(app, (screen) => screen.includes("Interrupted") && atPrompt(screen), "the prompt after the interruption");
  await app.typeLine("1 + 1");
  await until(app, (screen) => /\n2\s*\nembedtune>/.test(screen), "1 + 1 after the interruption");
});

test("training shows a live progress bar and loss chart; Ctrl-C stops it at the next step with a checkpoint", { timeout: 90_000 }, async () => {
  const app = startApp();
  const outputDir = join(temporaryDirectory(), "run");
  await app.typeLine("const model = await loadModel(undefined, { quiet: true }); const data = await loadPairScore()");
  await app.typeLine(
    `const run = await train({ model, trainDataset: data.train, loss: pickLoss(model), args: tutorialArguments({ outputDir: ${JSON.stringify(outputDir)}, maxSteps: 100000, evalStrategy: "no", saveStrategy: "no", learningRate: 5e-4 }) })`,
  );
  const live = await until(app, (screen) => /Training █*░+ ([2-9]|\d\d+)\/100000 · \d+% · ETA [^·]+ · loss \d/.test(screen), "the live progress bar", 60_000);
  assert.match(live, /training loss per step · \d+ points/);
  assert.match(live, /Ctrl-C stops training at the next step and saves a checkpoint/);
  await app.press(KEYS.ctrlC);
  const stopped = await until(app, (screen) => screen.includes("Training stopped at step") && atPrompt(screen), "the stopped run", 30_000);
  const step = Number(/Training stopped at step (\d+) of 100000/.exec(stopped)?.[1]);
  assert.ok(step > 0 && step < 100000, `stopped at step ${step}`);
  assert.ok(existsSync(join(outputDir, `checkpoint-${step}`, "trainer_state.json")), `${readdirSync(outputDir)}`);
  await app.typeLine("run.output.interrupted");
  await until(app, (screen) => /\ntrue\s*\nembedtune>/.test(screen), "the run reported as interrupted");
});
