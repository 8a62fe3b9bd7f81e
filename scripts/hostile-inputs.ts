// `npm run hostile`: issue 13's hostile inputs as a run a person can repeat. Each case (see
// scripts/hostile-inputs/cases.ts) sets up a fresh temporary folder, runs the real CLI
// (`node bin/embedtune.js …`) in a child process with a timeout, and checks the exit status, stderr
// (one `embedtune: error:` line, no stack trace) and what is left on disk. Prints a table
// (case | exit | stderr | verdict) and `N passed, M failed[, K skipped]`; exits 0 when none failed.
//
//   npm run hostile                         all cases (a few minutes)
//   npm run hostile -- --only tmpfs         cases whose name contains "tmpfs" (case-insensitive; repeatable)
//   npm run hostile -- --json results.json  also write the results as JSON
//   npm run hostile -- --jobs 1             run one case at a time (default: 2, at most the CPU count)
//   npm run hostile -- --keep               keep the temporary folders (their path is printed)
//   npm run hostile -- --list               list the cases
//
// tmpfs cases mount (and always unmount) small file systems, so they need root; elsewhere they are
// reported as skipped. Timing-sensitive cases (signals, two runs) run alone after the others.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CASES, type Case } from "./hostile-inputs/cases.ts";
import { Fixtures } from "./hostile-inputs/fixtures.ts";
import { Checks, Skip, exitLabel, firstMeaningfulLine, killAllChildren, unmountAll, type RunResult } from "./hostile-inputs/harness.ts";

interface Outcome {
  name: string;
  verdict: "PASS" | "FAIL" | "SKIP";
  /** Why it failed (every problem) or was skipped. */
  problems: string[];
  notes: string[];
  exit: string;
  stderrLine: string;
  seconds: number;
  commands: { command: string; exit: string; milliseconds: number; stderrTail: string }[];
}

const { values } = parseArgs({
  options: {
    only: { type: "string", multiple: true },
    json: { type: "string" },
    jobs: { type: "string" },
    keep: { type: "boolean" },
    list: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
  strict: true,
});

if (values.help) {
  console.log("Usage: npm run hostile -- [--only SUBSTRING]... [--json FILE] [--jobs N] [--keep] [--list]");
  process.exit(0);
}

const selected = CASES.filter((entry) => !values.only || values.only.some((part) => entry.name.toLowerCase().includes(part.toLowerCase())));
if (values.list) {
  for (const entry of selected) console.log(entry.name);
  process.exit(0);
}
if (selected.length === 0) {
  console.error(`no case matches ${values.only?.map((part) => JSON.stringify(part)).join(" or ")} (npm run hostile -- --list shows them)`);
  process.exit(1);
}

const jobs = Math.max(1, Number(values.jobs ?? Math.min(2, availableParallelism())) || 1);
const root = mkdtempSync(join(tmpdir(), "embedtune-hostile-"));
const env = { ...process.env, EMBEDTUNE_CACHE: join(root, "cache"), NO_COLOR: "1" };
const fixtures = new Fixtures(join(root, "fixtures"), env);

function cleanUp(): void {
  killAllChildren();
  unmountAll();
  if (!values.keep) rmSync(root, { recursive: true, force: true });
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping the cases, unmounting, removing ${root}`);
    cleanUp();
    process.exit(signal === "SIGINT" ? 130 : 143);
  });
}

/** Short folder names (cases/07): paths in messages stay as long as a user's would be. */
function slug(index: number): string {
  return String(index + 1).padStart(2, "0");
}

async function runCase(entry: Case, index: number): Promise<Outcome> {
  const dir = join(root, "cases", slug(index));
  mkdirSync(dir, { recursive: true });
  const checks = new Checks();
  const began = Date.now();
  let results: RunResult[] = [];
  let skipped: string | undefined;
  try {
    const returned = await entry.run({ dir, fixtures, checks, env });
    results = Array.isArray(returned) ? returned : [returned];
  } catch (error) {
    if (error instanceof Skip) skipped = error.message;
    else checks.check(false, `harness: ${(error as Error).message.split("\n")[0]}`);
  }
  const shown = results.find((result) => /^embedtune: error:/m.test(result.stderr)) ?? results[0];
  return {
    name: entry.name,
    verdict: skipped !== undefined ? "SKIP" : checks.problems.length === 0 ? "PASS" : "FAIL",
    problems: skipped !== undefined ? [skipped] : checks.problems,
    notes: checks.notes,
    exit: results.length > 0 ? results.map(exitLabel).join(" → ") : "-",
    stderrLine: shown ? firstMeaningfulLine(shown.stderr) : "",
    seconds: (Date.now() - began) / 1000,
    commands: results.map((result) => ({
      command: result.command,
      exit: exitLabel(result),
      milliseconds: result.milliseconds,
      stderrTail: result.stderr.slice(-4000),
    })),
  };
}

function truncate(text: string, length: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= length ? flat : `${flat.slice(0, length - 1)}…`;
}

function verdictText(outcome: Outcome): string {
  if (outcome.verdict === "PASS") return outcome.notes.length > 0 ? `PASS (${outcome.notes.join("; ")})` : "PASS";
  return `${outcome.verdict}: ${outcome.problems.join("; ")}`;
}

const began = Date.now();
const outcomes = new Array<Outcome>(selected.length);
const report = (outcome: Outcome) =>
  console.error(`  ${outcome.verdict.padEnd(4)} ${outcome.name} (${outcome.seconds.toFixed(1)} s)${outcome.verdict === "PASS" ? "" : `: ${truncate(outcome.problems.join("; "), 160)}`}`);

console.error(`embedtune hostile inputs: ${selected.length} cases, ${jobs} at a time; temporary folders in ${root}`);
try {
  const queue = selected.map((entry, index) => ({ entry, index })).filter(({ entry }) => !entry.exclusive);
  const alone = selected.map((entry, index) => ({ entry, index })).filter(({ entry }) => entry.exclusive);
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        outcomes[next.index] = await runCase(next.entry, next.index);
        report(outcomes[next.index]);
      }
    }),
  );
  for (const { entry, index } of alone) {
    outcomes[index] = await runCase(entry, index);
    report(outcomes[index]);
  }
} finally {
  cleanUp();
}

const header = ["case", "exit", "first line of stderr", "verdict"];
const rows = outcomes.map((outcome) => [outcome.name, outcome.exit, truncate(outcome.stderrLine, 100), truncate(verdictText(outcome), 220)]);
const widths = header.map((title, column) => Math.min(column === 3 ? 220 : 100, Math.max(title.length, ...rows.map((row) => row[column].length))));
const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]))).join(" | ");
console.log();
console.log(line(header));
console.log(widths.map((width) => "-".repeat(width)).join("-|-"));
for (const row of rows) console.log(line(row));

const passed = outcomes.filter((outcome) => outcome.verdict === "PASS").length;
const failed = outcomes.filter((outcome) => outcome.verdict === "FAIL").length;
const skipped = outcomes.filter((outcome) => outcome.verdict === "SKIP").length;
const summary = `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`;
const seconds = (Date.now() - began) / 1000;
console.log();
console.log(summary);
console.error(`(${seconds.toFixed(0)} s${values.keep ? `; kept ${root}` : ""})`);

if (typeof values.json === "string") {
  writeFileSync(values.json, `${JSON.stringify({ summary, passed, failed, skipped, seconds, results: outcomes }, null, 2)}\n`);
  console.error(`wrote ${values.json}`);
}
process.exitCode = failed > 0 ? 1 : 0;
