// Which front-end page and which cell the running tslab cell execution belongs to. Each browser page
// talks to the kernel under its own client session id (header.session of its execute_requests: a new
// uuid per page load in classic Notebook, JupyterLab and Notebook 7); JupyterLab and Notebook 7 also
// name the cell (metadata.cellId), classic Notebook sends only its code. tslab exposes neither, so in a
// tslab kernel (once, when the kit is loaded) the kit wraps methods of its exported classes:
// ZmqServer.handleExecute (a request arrives: its session and cell are noted),
// JupyterHandlerImpl.handleExecuteImpl (that request's execution starts: it becomes the current one, as
// tslab's lastWriteDisplayData does) and ZmqServer.publishStatus ("idle" for a request: its execution
// ended, its session is known — sessionOfRun). Requests that arrived before the kit was loaded (the
// first Run All's queue) count as one page, EARLIER_PAGE, while they run, and are matched to their
// session when they end. Where tslab lacks these methods, or a request has no session, each execution
// counts as its own page and cell.

import { loadedTslabJupyter, type TslabJupyter } from "./display.ts";

export interface CellRun {
  /** The page: its client session id, or a stand-in when it cannot be known. */
  page: string;
  /** The cell: its cellId, else its code. */
  cell: string;
  /** This execution of the cell (tslab's display writer for it). */
  run: object;
}

/** The page of the requests received before the kit was loaded. */
export const EARLIER_PAGE = "requests received before embedtune was loaded";

interface ExecuteRequest {
  header?: { session?: unknown; msg_type?: unknown };
  metadata?: { cellId?: unknown };
  content: { code?: unknown };
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

const originOfRequest = new WeakMap<object, { page: string | null; cell: string | null }>();
const runOfRequest = new WeakMap<object, object>();
const sessions = new WeakMap<object, string>();
/** The execution during which tracking started, until its session is learnt. */
let loadingRun: object | undefined;
const tracked = new WeakSet<object>();
const runIds = new WeakMap<object, string>();
let executions = 0;
let current: CellRun | undefined;

/** A stand-in name for one execution, for its page or cell when they cannot be known. */
function runId(run: object): string {
  let id = runIds.get(run);
  if (id === undefined) runIds.set(run, (id = `execution ${++executions}`));
  return id;
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function prototypeWith(owner: unknown, method: string): Record<string, unknown> | null {
  const prototype = (owner as { prototype?: Record<string, unknown> } | undefined)?.prototype;
  return typeof prototype?.[method] === "function" ? prototype : null;
}

/** Wraps tslab's request and execution methods (once per module); false when this tslab lacks them. */
export function trackFrontEnds(jupyter: TslabJupyter): boolean {
  if (tracked.has(jupyter)) return true;
  const server = prototypeWith(jupyter.ZmqServer, "handleExecute");
  const handler = prototypeWith(jupyter.JupyterHandlerImpl, "handleExecuteImpl");
  if (!server || !handler) return false;
  loadingRun = jupyter.lastWriteDisplayData ?? undefined;
  const receive = server.handleExecute as Method;
  server.handleExecute = function (this: unknown, socket: unknown, message: ExecuteRequest, ...rest: unknown[]) {
    if (message?.content && typeof message.content === "object") {
      originOfRequest.set(message.content, { page: nonEmptyString(message.header?.session), cell: nonEmptyString(message.metadata?.cellId) });
    }
    return receive.call(this, socket, message, ...rest);
  };
  const execute = handler.handleExecuteImpl as Method;
  handler.handleExecuteImpl = function (this: unknown, request: { code?: unknown }, writeStream: unknown, writeDisplayData: object, ...rest: unknown[]) {
    const origin = originOfRequest.get(request);
    const cell = origin?.cell ?? (typeof request?.code === "string" ? request.code : runId(writeDisplayData));
    current = { page: origin ? (origin.page ?? runId(writeDisplayData)) : EARLIER_PAGE, cell, run: writeDisplayData };
    runOfRequest.set(request, writeDisplayData);
    return execute.call(this, request, writeStream, writeDisplayData, ...rest);
  };
  if (typeof server.publishStatus === "function") {
    const publish = server.publishStatus as Method;
    server.publishStatus = function (this: unknown, status: unknown, parent: ExecuteRequest, ...rest: unknown[]) {
      const session = nonEmptyString(parent?.header?.session);
      if (status === "idle" && parent?.header?.msg_type === "execute_request" && session) {
        // The first execute_request to end after tracking started is the one that was running then.
        const run = runOfRequest.get(parent.content) ?? loadingRun;
        loadingRun = undefined;
        if (run) sessions.set(run, session);
      }
      return publish.call(this, status, parent, ...rest);
    };
  }
  tracked.add(jupyter);
  return true;
}

/** The client session of an execution, once it has ended (also for those that ran as EARLIER_PAGE). */
export function sessionOfRun(run: object): string | undefined {
  return sessions.get(run);
}

/** The page and cell of the running execution, or null outside a tslab kernel. */
export function currentCellRun(jupyter: TslabJupyter | null = loadedTslabJupyter()): CellRun | null {
  const run = jupyter?.lastWriteDisplayData;
  if (!jupyter || !run) return null;
  if (current?.run === run) return current;
  // The execution that was running when the kit was loaded (it came before tracking), or no tracking.
  return { page: tracked.has(jupyter) ? EARLIER_PAGE : runId(run), cell: runId(run), run };
}

const jupyter = loadedTslabJupyter();
if (jupyter) trackFrontEnds(jupyter);
