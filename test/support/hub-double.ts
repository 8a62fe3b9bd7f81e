// A Hugging Face Hub double for tests: two HTTP listeners on 127.0.0.1 (port 0) — the Hub itself and a
// CDN-like second origin that LFS files redirect to, so a client must drop Authorization on that hop. The CDN is
// addressed as http://localhost:<port> (the same listener, another host name): huggingface_hub follows a HEAD's
// redirect to the same host name whatever the port, and must stop at the CDN hop as it does at huggingface.co's.
//
//   const hub = await HubDouble.start({ lfsThreshold: 4096, pageSize: 50 });   // env: HF_ENDPOINT = hub.endpoint
//   const repo = hub.addRepo("org/tiny", { type: "model", gated: false, private: false, tokens: ["hf_x"] });
//   const first = repo.commit({ "config.json": "{}", "model.safetensors": bytes });  // on "main" by default
//   repo.commit({ "README.md": "# v2", "old.txt": null });                           // null deletes a file
//   repo.tag("v1.0", first); repo.commit({...}, { branch: "dev" });                  // a branch from main's head
//   hub.addRepoFromFolder("org/tiny", folder, options)                                // one commit of a folder's files
//   hub.requests            every request: { origin: "hub" | "cdn", method, path (with query), headers }
//   hub.switches            dropAfterBytes: { bytes, times (Infinity = always), path? } — cut a file body after N bytes;
//                           refuseRange (answer 200 to a Range request); corrupt: Set of repo paths whose bytes are served
//                           with one byte flipped (same length); pageSize: tree page size
//                           failures: [{ status, times, path, method?, retryAfter? }] — the next `times` requests whose path
//                             (with query) contains `path` answer `status` (with Retry-After when given), no X-Error-Code;
//                           stall: { path, times, afterBytes? } — no answer at all (afterBytes undefined), or a file's
//                             headers and its first afterBytes bytes, then silence (the connection stays open);
//                           shortBody: { path, times, bytes, chunked } — a file body that ends cleanly after `bytes`:
//                             chunked = no Content-Length, else the full Content-Length and a graceful close;
//                           apiless: "404" | "html" — a mirror with only /resolve/: /api/ answers 404 without
//                             X-Error-Code, or 200 text/html;
//                           pathPrefix: "/hf-mirror" — the Hub is served below it (HF_ENDPOINT = hub.endpoint + prefix);
//                           renamed: Map old id → new id — API and resolve answer 307 with a relative Location to the new id;
//                           offOrigin: Set of git-file paths answered by a 302 with an absolute Location on the CDN
//                             (X-Linked-Etag = git sha1, X-Linked-Size), as a mirror that stores every file elsewhere
//   hub.resetSwitches()    every switch back to its default
//   await hub.close()
//
// Protocol (as huggingface.co; see ../shared/docs/hub-protocol.md):
//   GET  /api/{models|datasets}/{id}[/revision/{rev}]        {id, sha, siblings: [{rfilename}], private, gated} (no rev: main)
//   GET  /api/{models|datasets}/{id}/tree/{rev}[/{path}]?recursive=true&cursor=N   [{type, oid, size, path, lfs?}],
//        paginated with Link: <absolute url>; rel="next"
//   HEAD|GET /{id}/resolve/{rev}/{path}, /datasets/{id}/resolve/{rev}/{path}: a git file answers 200 with ETag (git blob
//        sha1), X-Repo-Commit, Content-Length, Accept-Ranges and Range → 206; a file ≥ lfsThreshold is LFS: 302 to
//        {cdn}/cdn/{sha256} with X-Linked-Etag (sha256), X-Linked-Size, X-Repo-Commit; the CDN serves it (Range too).
//   Errors: 404 + X-Error-Code RepoNotFound (401 when anonymous), RevisionNotFound, EntryNotFound (with X-Repo-Commit);
//        private repo without an accepted token → 401 RepoNotFound on everything; gated repo: metadata public, resolve
//        → 401 GatedRepo without a token, 403 GatedRepo with a token not in `tokens`.
// `rev` is a branch, tag or 40-hex commit, URL-encoded (refs%2Fpr%2F1).

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";

export type DoubleRepoType = "model" | "dataset";

export interface RecordedRequest {
  origin: "hub" | "cdn";
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
}

export interface HubSwitches {
  dropAfterBytes?: { bytes: number; times: number; path?: string };
  refuseRange?: boolean;
  corrupt: Set<string>;
  pageSize: number;
  failures: { status: number; times: number; path: string; method?: string; retryAfter?: string }[];
  stall?: { path: string; times: number; afterBytes?: number };
  shortBody?: { path: string; times: number; bytes: number; chunked: boolean };
  apiless?: "404" | "html";
  pathPrefix: string;
  renamed: Map<string, string>;
  offOrigin: Set<string>;
}

function defaultSwitches(pageSize: number): HubSwitches {
  return { corrupt: new Set(), pageSize, failures: [], pathPrefix: "", renamed: new Map(), offOrigin: new Set() };
}

export interface DoubleRepoOptions {
  type?: DoubleRepoType;
  gated?: boolean;
  private?: boolean;
  /** tokens with access (private repo, or a gated repo's accepted licence) */
  tokens?: string[];
}

interface StoredFile {
  bytes: Uint8Array;
  gitSha1: string;
  sha256: string;
}

function gitBlobSha1(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

function storedFile(content: string | Uint8Array): StoredFile {
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  return { bytes, gitSha1: gitBlobSha1(bytes), sha256: createHash("sha256").update(bytes).digest("hex") };
}

/** Every file below `folder`, by "/"-separated relative path. */
export function filesOfFolder(folder: string): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(folder, path).split("\\").join("/")] = readFileSync(path);
    }
  };
  walk(folder);
  return files;
}

export class DoubleRepo {
  readonly type: DoubleRepoType;
  readonly gated: boolean;
  readonly private: boolean;
  readonly tokens: string[];
  /** commit sha → the whole tree at that commit */
  readonly commits = new Map<string, Map<string, StoredFile>>();
  /** branch or tag → commit sha */
  readonly refs = new Map<string, string>();

  constructor(readonly id: string, options: DoubleRepoOptions) {
    this.type = options.type ?? "model";
    this.gated = options.gated ?? false;
    this.private = options.private ?? false;
    this.tokens = options.tokens ?? [];
  }

  /** A new commit on `branch` (created from main's head when new): the previous tree with these files added, replaced or (null) deleted. */
  commit(files: Record<string, string | Uint8Array | null>, options: { branch?: string; message?: string } = {}): string {
    const branch = options.branch ?? "main";
    const parent = this.refs.get(branch) ?? this.refs.get("main");
    const tree = new Map(parent ? this.commits.get(parent) : []);
    for (const [path, content] of Object.entries(files)) {
      if (content === null) tree.delete(path);
      else tree.set(path, storedFile(content));
    }
    const listing = [...tree].map(([path, file]) => `${path}:${file.gitSha1}`).sort().join("\n");
    const sha = createHash("sha1").update(`commit\0${parent ?? ""}\0${options.message ?? ""}\0${this.commits.size}\0${listing}`).digest("hex");
    this.commits.set(sha, tree);
    this.refs.set(branch, sha);
    return sha;
  }

  tag(name: string, commit: string): void {
    this.refs.set(name, commit);
  }

  /** The commit a branch, tag or 40-hex commit names, or undefined. */
  resolve(revision: string): string | undefined {
    if (this.commits.has(revision)) return revision;
    return this.refs.get(revision);
  }
}

class HttpError {
  constructor(readonly status: number, readonly code?: string, readonly headers: Record<string, string> = {}) {}
}

export class HubDouble {
  readonly repos = new Map<string, DoubleRepo>();
  readonly requests: RecordedRequest[] = [];
  switches: HubSwitches;
  endpoint = "";
  cdnOrigin = "";
  private readonly hub: Server;
  private readonly cdn: Server;

  private constructor(readonly lfsThreshold: number, pageSize: number) {
    this.switches = defaultSwitches(pageSize);
    this.hub = createServer((request, response) => this.serve("hub", request, response));
    this.cdn = createServer((request, response) => this.serve("cdn", request, response));
  }

  /** lfsThreshold: files of at least this many bytes are LFS (default 10 kB); pageSize: tree entries per page (default 1000). */
  static async start(options: { lfsThreshold?: number; pageSize?: number } = {}): Promise<HubDouble> {
    const double = new HubDouble(options.lfsThreshold ?? 10_000, options.pageSize ?? 1000);
    const listen = (server: Server, hostName: string) =>
      new Promise<string>((done) => server.listen(0, "127.0.0.1", () => done(`http://${hostName}:${(server.address() as AddressInfo).port}`)));
    double.endpoint = await listen(double.hub, "127.0.0.1");
    double.cdnOrigin = await listen(double.cdn, "localhost");
    return double;
  }

  close(): Promise<void> {
    const stop = (server: Server) => new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    });
    return Promise.all([stop(this.hub), stop(this.cdn)]).then(() => undefined);
  }

  resetSwitches(): void {
    this.switches = defaultSwitches(1000);
  }

  addRepo(id: string, options: DoubleRepoOptions = {}): DoubleRepo {
    const repo = new DoubleRepo(id, options);
    this.repos.set(`${repo.type}:${id}`, repo);
    return repo;
  }

  /** A repo whose main branch has one commit holding the folder's files. */
  addRepoFromFolder(id: string, folder: string, options: DoubleRepoOptions = {}): DoubleRepo {
    const repo = this.addRepo(id, options);
    repo.commit(filesOfFolder(folder), { message: "initial" });
    return repo;
  }

  /** Requests whose method and path match (path: substring). */
  requestsTo(method: string, pathPart = ""): RecordedRequest[] {
    return this.requests.filter((request) => request.method === method && request.path.includes(pathPart));
  }

  private serve(origin: "hub" | "cdn", request: IncomingMessage, response: ServerResponse): void {
    this.requests.push({ origin, method: request.method ?? "GET", path: request.url ?? "/", headers: request.headers });
    const requestPath = request.url ?? "/";
    const failure = this.switches.failures.find((rule) => rule.times > 0 && requestPath.includes(rule.path) && (rule.method === undefined || rule.method === request.method));
    if (failure) {
      failure.times--;
      response.writeHead(failure.status, { "content-type": "text/plain", ...(failure.retryAfter !== undefined ? { "retry-after": failure.retryAfter } : {}) });
      return void response.end(`status ${failure.status}`);
    }
    const stall = this.switches.stall;
    if (stall && stall.times > 0 && stall.afterBytes === undefined && requestPath.includes(stall.path)) {
      stall.times--;
      return; // never answered; close() ends the connection
    }
    try {
      if (origin === "cdn") this.serveCdn(request, response);
      else this.serveHub(request, response);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      response.writeHead(error.status, { "x-error-code": error.code ?? "", "content-type": "application/json", ...error.headers });
      response.end(JSON.stringify({ error: error.code ?? `status ${error.status}` }));
    }
  }

  private repo(type: DoubleRepoType, id: string, request: IncomingMessage, forFile: boolean): DoubleRepo {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
    const repo = this.repos.get(`${type}:${id}`);
    const allowed = token !== undefined && repo !== undefined && repo.tokens.includes(token);
    if (!repo || (repo.private && !allowed)) throw new HttpError(token ? 404 : 401, "RepoNotFound");
    if (repo.gated && forFile && !allowed) throw new HttpError(token ? 403 : 401, "GatedRepo");
    return repo;
  }

  private commitOf(repo: DoubleRepo, revision: string): string {
    const commit = repo.resolve(revision);
    if (!commit) throw new HttpError(404, "RevisionNotFound");
    return commit;
  }

  private serveHub(request: IncomingMessage, response: ServerResponse): void {
    const { pathPrefix, apiless, renamed } = this.switches;
    const url = new URL(request.url ?? "/", this.endpoint);
    if (!url.pathname.startsWith(`${pathPrefix}/`)) throw new HttpError(404);
    url.pathname = url.pathname.slice(pathPrefix.length);
    for (const [from, to] of renamed) {
      const moved = url.pathname.replace(new RegExp(`^(/api/(?:models|datasets)/|/datasets/|/)${from.replace(/[.]/g, "\\.")}(?=/)`), `$1${to}`);
      if (moved === url.pathname) continue;
      response.writeHead(307, { location: `${pathPrefix}${moved}${url.search}`, "content-length": "0" });
      return void response.end();
    }
    if (apiless && url.pathname.startsWith("/api/")) {
      if (apiless === "404") throw new HttpError(404);
      response.writeHead(200, { "content-type": "text/html" });
      return void response.end("<!doctype html><title>mirror</title><p>Not an API</p>");
    }
    const api = /^\/api\/(models|datasets)\/([^/]+(?:\/[^/]+)?)(?:\/(revision|tree)\/([^/]+)(?:\/(.*))?)?$/.exec(url.pathname);
    if (api) {
      const type: DoubleRepoType = api[1] === "models" ? "model" : "dataset";
      const repo = this.repo(type, decodeURIComponent(api[2]), request, false);
      const commit = this.commitOf(repo, decodeURIComponent(api[4] ?? "main"));
      const tree = repo.commits.get(commit)!;
      if (api[3] === undefined || api[3] === "revision") {
        return json(response, { id: repo.id, sha: commit, private: repo.private, gated: repo.gated ? "auto" : false, siblings: [...tree.keys()].sort().map((rfilename) => ({ rfilename })) });
      }
      return this.serveTree(response, url, tree, api[5] ? decodeURIComponent(api[5]) : "");
    }
    const resolve = /^\/(datasets\/)?(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (!resolve) throw new HttpError(404, "EntryNotFound");
    const repo = this.repo(resolve[1] ? "dataset" : "model", decodeURIComponent(resolve[2]), request, true);
    const commit = this.commitOf(repo, decodeURIComponent(resolve[3]));
    const path = resolve[4].split("/").map(decodeURIComponent).join("/");
    const file = repo.commits.get(commit)!.get(path);
    if (!file) throw new HttpError(404, "EntryNotFound", { "x-repo-commit": commit });
    const isLfs = file.bytes.length >= this.lfsThreshold;
    if (isLfs || this.switches.offOrigin.has(path)) {
      const [kind, digest] = isLfs ? ["cdn", file.sha256] : ["git", file.gitSha1];
      response.writeHead(302, {
        location: `${this.cdnOrigin}/${kind}/${digest}?repo=${encodeURIComponent(repo.id)}&path=${encodeURIComponent(path)}`,
        "x-linked-etag": `"${digest}"`,
        "x-linked-size": String(file.bytes.length),
        "x-repo-commit": commit,
        "content-length": "0",
      });
      response.end();
      return;
    }
    this.sendBytes(request, response, file, path, { etag: `"${file.gitSha1}"`, "x-repo-commit": commit });
  }

  /** A file as the tree and paths-info APIs list it (an LFS file: the pointer's git oid and its lfs block). */
  private fileEntry(path: string, file: StoredFile): object {
    const isLfs = file.bytes.length >= this.lfsThreshold;
    const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${file.sha256}\nsize ${file.bytes.length}\n`;
    return {
      type: "file",
      oid: isLfs ? gitBlobSha1(new TextEncoder().encode(pointer)) : file.gitSha1,
      size: file.bytes.length,
      path,
      ...(isLfs ? { lfs: { oid: file.sha256, size: file.bytes.length, pointerSize: pointer.length } } : {}),
    };
  }

  private serveTree(response: ServerResponse, url: URL, tree: Map<string, StoredFile>, under: string): void {
    const recursive = ["true", "1", "True"].includes(url.searchParams.get("recursive") ?? "");
    const prefix = under ? `${under.replace(/\/$/, "")}/` : "";
    const entries = new Map<string, object>();
    for (const [path, file] of [...tree].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!path.startsWith(prefix)) continue;
      const parts = path.slice(prefix.length).split("/");
      for (let depth = 1; depth < parts.length && (recursive || depth === 1); depth++) {
        const folder = prefix + parts.slice(0, depth).join("/");
        if (!entries.has(folder)) entries.set(folder, { type: "directory", oid: createHash("sha1").update(folder).digest("hex"), size: 0, path: folder });
      }
      if (!recursive && parts.length > 1) continue;
      entries.set(path, this.fileEntry(path, file));
    }
    if (prefix && entries.size === 0) throw new HttpError(404, "EntryNotFound");
    const all = [...entries.values()];
    const cursor = Number(url.searchParams.get("cursor") ?? 0);
    const page = all.slice(cursor, cursor + this.switches.pageSize);
    const headers: Record<string, string> = {};
    if (cursor + this.switches.pageSize < all.length) {
      const next = new URL(url);
      next.searchParams.set("cursor", String(cursor + this.switches.pageSize));
      headers.link = `<${next.href}>; rel="next"`;
    }
    json(response, page, headers);
  }

  private serveCdn(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? "/", this.cdnOrigin);
    const [, kind, digest] = /^\/(cdn|git)\/([0-9a-f]{40}|[0-9a-f]{64})$/.exec(url.pathname) ?? [];
    for (const repo of this.repos.values()) {
      for (const tree of repo.commits.values()) {
        for (const [path, file] of tree) {
          if ((kind === "cdn" ? file.sha256 : file.gitSha1) === digest) return this.sendBytes(request, response, file, path, { etag: `"${digest}"` });
        }
      }
    }
    throw new HttpError(404);
  }

  /** The file's bytes with Range support and the switches applied (corrupt, refuseRange, dropAfterBytes). */
  private sendBytes(request: IncomingMessage, response: ServerResponse, file: StoredFile, path: string, headers: Record<string, string>): void {
    let bytes = file.bytes;
    if (this.switches.corrupt.has(path)) {
      bytes = Uint8Array.from(bytes);
      bytes[bytes.length >> 1] ^= 0xff;
    }
    const range = this.switches.refuseRange ? undefined : /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? "");
    let status = 200;
    let body = bytes;
    const head: Record<string, string> = { ...headers, "accept-ranges": "bytes", "content-type": "application/octet-stream" };
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), bytes.length - 1) : bytes.length - 1;
      if (start >= bytes.length) throw new HttpError(416, undefined, { "content-range": `bytes */${bytes.length}` });
      status = 206;
      body = bytes.subarray(start, end + 1);
      head["content-range"] = `bytes ${start}-${end}/${bytes.length}`;
    }
    head["content-length"] = String(body.length);
    const short = this.switches.shortBody;
    const cutShort = request.method !== "HEAD" && short && short.times > 0 && short.path === path && short.bytes < body.length;
    if (cutShort && short.chunked) delete head["content-length"];
    response.writeHead(status, head);
    if (request.method === "HEAD") return void response.end();
    if (cutShort) {
      short.times--;
      if (short.chunked) return void response.end(body.subarray(0, short.bytes));
      response.write(body.subarray(0, short.bytes), () => response.socket?.end());
      return;
    }
    const stall = this.switches.stall;
    if (stall && stall.times > 0 && stall.afterBytes !== undefined && stall.path === path && stall.afterBytes < body.length) {
      stall.times--;
      response.write(body.subarray(0, stall.afterBytes)); // then silence, the connection left open
      return;
    }
    const drop = this.switches.dropAfterBytes;
    if (drop && drop.times > 0 && (drop.path === undefined || drop.path === path) && drop.bytes < body.length) {
      drop.times--;
      response.write(body.subarray(0, drop.bytes), () => setTimeout(() => response.socket?.destroy(), 20));
      return;
    }
    response.end(body);
  }
}

function json(response: ServerResponse, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers });
  response.end(text);
}
