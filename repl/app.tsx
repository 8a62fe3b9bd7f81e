// The terminal REPL drawn with Ink: the transcript (inputs, results, errors, notes) printed once
// above; under it the prompt with the line being edited (line-editor.ts), or, while an input runs,
// the live training view. Enter submits (an unfinished input continues with "... "), ↑ ↓ walk the
// history, Tab completes, Ctrl-L clears the screen, Ctrl-C interrupts a running input (training
// stops at the next step), clears the line, or, pressed twice on an empty prompt, exits (as Ctrl-D).
// Keys typed while an input runs still edit the line, and Enter queues it (type-ahead), so pasted
// lines run one after another.

import { Box, Static, Text, useApp, useInput, useStdout, type Key } from "ink";
import { useEffect, useRef, useState } from "react";
import { commonPrefix } from "./completion.ts";
import { editLine, EMPTY_LINE, lineAt, type LineState } from "./line-editor.ts";
import type { OutputBlock, Transcript } from "./output.ts";
import { ReplSession } from "./session.ts";
import type { TrainingSnapshot } from "./training-monitor.ts";
import { splitKeys } from "./keys.ts";
import { TrainingView } from "./training-view.tsx";

const PROMPT = "embedtune> ";
const CONTINUATION_PROMPT = "...        ";
const EXIT_HINT = "(To exit, press Ctrl-C again or Ctrl-D, or type .exit)";
const REDRAW_INTERVAL_MS = 100;
const CANDIDATES_SHOWN = 40;
const CLEAR_SCREEN = "\u001b[2J\u001b[3J\u001b[H";

export interface ReplAppProps {
  session: ReplSession;
  transcript: Transcript;
  /** Called when the user leaves (.exit, Ctrl-D, Ctrl-C twice), just before the app exits. */
  onExit?(): void;
}

/** A session set up for the app: output into the transcript, quiet trainers (the app draws their progress), .clear clears. */
export function terminalSession(transcript: Transcript, options: { historyFile: string | null; width(): number }): ReplSession {
  return new ReplSession({ ...options, output: transcript.append, quietTrainers: true, clearScreen: () => transcript.requestClear() });
}

interface PromptState {
  line: LineState;
  /** An input is running; keys typed meanwhile still edit the line and queue with Enter (type-ahead). */
  busy: boolean;
  /** The session waits for the next line of an unfinished input. */
  continuing: boolean;
  /** Shown under the prompt: completion candidates, or how to exit. */
  hint?: string;
}

export function ReplApp({ session, transcript, onExit }: ReplAppProps) {
  const app = useApp();
  const exit = () => {
    onExit?.();
    app.exit();
  };
  const { stdout, write } = useStdout();
  const width = stdout.columns || 100;
  const { blocks, clearRequests } = useTranscript(transcript);
  // Ink's write() takes its live drawing away, writes, and draws it again: here, on a cleared screen.
  const clearScreen = () => write(CLEAR_SCREEN);
  useEffect(() => {
    if (clearRequests > 0) clearScreen();
  }, [clearRequests]);
  const training = useTrainingSnapshot(session);
  const [view, setView] = useState<PromptState>({ line: EMPTY_LINE, busy: false, continuing: false });
  // Key handlers read and write the latest state here: several keys can arrive before React renders.
  const state = useRef(view);
  const update = (change: Partial<PromptState>) => {
    state.current = { ...state.current, ...change };
    setView(state.current);
  };
  const queue = useRef<string[]>([]);

  const drain = async () => {
    if (state.current.busy) return;
    update({ busy: true });
    try {
      while (queue.current.length > 0) {
        const text = queue.current.shift()!;
        transcript.append({ tone: "input", lines: text.split("\n").map((part, index) => `${index === 0 && !session.continuing ? PROMPT : CONTINUATION_PROMPT}${part}`) });
        if ((await session.submit(text)) === "exit") {
          queue.current = [];
          exit();
          return;
        }
        update({ continuing: session.continuing });
      }
    } finally {
      update({ busy: false });
    }
  };

  const handleKey = (input: string, key: Key) => {
    const { line, busy, continuing, hint } = state.current;
    const ctrlC = key.ctrl && input === "c";
    if (ctrlC && busy) {
      session.interrupt();
      return;
    }
    if (ctrlC) {
      if (line.text === "" && !continuing) {
        if (hint === EXIT_HINT) exit();
        else update({ hint: EXIT_HINT });
        return;
      }
      session.cancelContinuation();
      update({ line: EMPTY_LINE, continuing: false, hint: undefined });
      return;
    }
    if (hint === EXIT_HINT) update({ hint: undefined });
    if (key.ctrl && input === "d" && line.text === "" && !continuing && !busy) {
      exit();
      return;
    }
    if (key.ctrl && input === "l") {
      clearScreen();
      return;
    }
    if (key.return) {
      queue.current.push(line.text);
      session.history.resetWalk();
      update({ line: EMPTY_LINE, hint: undefined });
      void drain();
      return;
    }
    if (key.upArrow || key.downArrow) {
      const entry = key.upArrow ? session.history.older(line.text) : session.history.newer();
      if (entry !== undefined) update({ line: lineAt(entry) });
      return;
    }
    if (key.tab) {
      const { from, candidates } = session.complete(line.text, line.cursor);
      if (candidates.length === 0) return;
      const typed = line.text.slice(from, line.cursor);
      const insert = candidates.length === 1 ? candidates[0] : commonPrefix(candidates);
      const completed = insert.length > typed.length ? { text: line.text.slice(0, from) + insert + line.text.slice(line.cursor), cursor: from + insert.length } : line;
      update({ line: completed, hint: candidates.length > 1 ? listCandidates(candidates, width) : undefined });
      return;
    }
    const edited = editLine(line, input, key);
    if (edited) update({ line: edited, hint: edited.text === line.text ? state.current.hint : undefined });
  };

  useInput((input: string, key: Key) => {
    for (const event of splitKeys(input, key)) handleKey(event.input, event.key);
  });

  return (
    <>
      <Static items={blocks}>{(block, index) => <OutputBlockView key={index} block={block} />}</Static>
      {view.busy ? (
        training ? (
          <TrainingView run={training} width={width} />
        ) : (
          <Text dimColor>running… (Ctrl-C stops waiting)</Text>
        )
      ) : (
        <Box flexDirection="column">
          <InputLine line={view.line} continuing={view.continuing} />
          {view.hint !== undefined && <Text dimColor>{view.hint}</Text>}
        </Box>
      )}
    </>
  );
}

function OutputBlockView({ block }: { block: OutputBlock }) {
  const text = block.lines.join("\n");
  if (block.tone === "error") return <Text color="red">{text}</Text>;
  if (block.tone === "note" || block.tone === "log") return <Text dimColor>{text}</Text>;
  if (block.tone === "input") return <Text color="cyan">{text}</Text>;
  return <Text>{text}</Text>;
}

/** The line being edited, over as many rows as it has newlines, with the cursor shown inverse. */
function InputLine({ line, continuing }: { line: LineState; continuing: boolean }) {
  const rows = line.text.split("\n");
  let offset = 0;
  return (
    <Box flexDirection="column">
      {rows.map((row, index) => {
        const start = offset;
        offset += row.length + 1;
        const cursorHere = line.cursor >= start && line.cursor <= start + row.length;
        const at = line.cursor - start;
        return (
          <Text key={index}>
            <Text color="cyan">{index === 0 && !continuing ? PROMPT : CONTINUATION_PROMPT}</Text>
            {cursorHere ? (
              <>
                {row.slice(0, at)}
                <Text inverse>{row[at] ?? " "}</Text>
                {row.slice(at + 1)}
              </>
            ) : (
              row
            )}
          </Text>
        );
      })}
    </Box>
  );
}

function listCandidates(candidates: string[], width: number): string {
  const shown = candidates.slice(0, CANDIDATES_SHOWN);
  const column = Math.min(width, Math.max(...shown.map((candidate) => candidate.length)) + 2);
  const perRow = Math.max(1, Math.floor(width / column));
  const rows: string[] = [];
  for (let start = 0; start < shown.length; start += perRow) rows.push(shown.slice(start, start + perRow).map((candidate) => candidate.padEnd(column)).join("").trimEnd());
  if (candidates.length > shown.length) rows.push(`… ${candidates.length - shown.length} more`);
  return rows.join("\n");
}

/** The transcript's blocks and clear requests, as React state. */
function useTranscript(transcript: Transcript): { blocks: OutputBlock[]; clearRequests: number } {
  const read = () => ({ blocks: [...transcript.blocks], clearRequests: transcript.clearRequests });
  const [state, setState] = useState(read);
  useEffect(() => {
    setState(read());
    return transcript.subscribe(() => setState(read()));
  }, [transcript]);
  return state;
}

/** The run in progress, redrawn at most every REDRAW_INTERVAL_MS. */
function useTrainingSnapshot(session: ReplSession): TrainingSnapshot | undefined {
  const [snapshot, setSnapshot] = useState<TrainingSnapshot | undefined>(session.monitor.current);
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      setSnapshot(session.monitor.current);
    };
    const offChange = session.monitor.onChange(() => {
      timer ??= setTimeout(flush, REDRAW_INTERVAL_MS);
    });
    const offEnd = session.monitor.onRunEnd(() => {
      if (timer) clearTimeout(timer);
      flush();
    });
    return () => {
      offChange();
      offEnd();
      if (timer) clearTimeout(timer);
    };
  }, [session]);
  return snapshot;
}
