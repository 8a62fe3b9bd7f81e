// Requests to the Hub on Node's fetch, with huggingface_hub's error mapping (utils/_http.py hf_raise_for_status):
// X-Error-Code RevisionNotFound / EntryNotFound / GatedRepo / RepoNotFound, and a 401 that is not about the
// token's validity = repo not found (the Hub hides private repos that way). Redirects are followed here: a
// relative one (renamed repo) keeps the Authorization header, one to another origin (the CDN of LFS files)
// drops it. A network failure becomes one line naming the endpoint.
// Retries as http_backoff: statuses 408, 429, 500, 502, 503, 504 and (retry "all") timeouts and dropped
// connections, up to RETRY_POLICY.maxRetries times, waiting 1 s doubling to 8 s, or Retry-After + 1 s (capped
// at maxRetryAfterMs; Python does not cap) — one stderr line per retry, as Python's logger warns. Unlike Python,
// a refused connection or an unknown host name fails at once (Python spends 23 s retrying what rarely heals).
// Timeouts: `timeoutMs` bounds each attempt until the answer's headers; the caller bounds the body.
// Proxies: Node's fetch ignores HTTPS_PROXY / HTTP_PROXY; with one set (or lowercase), requests go through the
// npm package undici's ProxyAgent (NO_PROXY honoured as httpx does), imported only then.

import { EntryNotFoundError, GatedRepoError, HubApiUnavailableError, HubError, HubNetworkError, HubUnreachableError, RepositoryNotFoundError, RevisionNotFoundError } from "./errors.ts";
import type { HubEnvironment } from "./endpoint.ts";
import type { RepoType } from "./cache-layout.ts";

export interface RequestContext {
  repoId: string;
  repoType: RepoType;
  revision: string;
  /** the file, for resolve requests */
  path?: string;
}

export interface HubRequest {
  method?: "GET" | "HEAD";
  headers?: Record<string, string>;
  /** aborts the request and its body (the caller's body timeout) */
  signal?: AbortSignal;
  /** each attempt's limit until the answer's headers arrive */
  timeoutMs?: number;
  /** "all": transient statuses and connection failures; "status": transient statuses only (the caller resumes
   *  dropped connections itself); "none": one attempt (a cached answer is the fallback). Default "all". */
  retry?: "all" | "status" | "none";
  /** HEAD for metadata: follow only same-origin redirects without X-Linked-Etag (a renamed repo) and return
   *  any other redirect as the answer (the CDN hop carries the metadata), as Python's HEAD does. */
  stopAtCdnRedirect?: boolean;
}

/** http_backoff's numbers; the tests shorten the waits. */
export const RETRY_POLICY = { maxRetries: 5, baseWaitMs: 1000, maxWaitMs: 8000, maxRetryAfterMs: 60_000 };
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

const MAX_REDIRECTS = 10;

/** The repo's page, where a gated repo's licence is accepted. */
export function repoPageUrl(env: HubEnvironment, repoId: string, repoType: RepoType): string {
  return `${env.endpoint}/${repoType === "dataset" ? "datasets/" : ""}${repoId}`;
}

type Fetch = (url: URL, init: RequestInit) => Promise<Response>;
const proxyAgents = new Map<string, import("undici").ProxyAgent>();

/** The proxy for `url` as httpx reads the environment: HTTPS_PROXY / HTTP_PROXY by scheme (lowercase too), none for
 *  a host NO_PROXY names ("*", a host or IP, ".domain" or "domain" for it and its subdomains, host:port). */
export function proxyFor(url: URL): string | undefined {
  const scheme = url.protocol === "https:" ? "HTTPS_PROXY" : "HTTP_PROXY";
  const proxy = process.env[scheme] || process.env[scheme.toLowerCase()];
  if (!proxy) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  const exempt = (process.env.NO_PROXY || process.env.no_proxy || "").split(",").map((entry) => entry.trim().toLowerCase()).filter(Boolean).some((entry) => {
    if (entry === "*") return true;
    const [name, entryPort] = entry.replace(/^\[|\]$/g, "").split(/:(?=\d+$)/);
    const domain = name.replace(/^\*?\./, "");
    return (entryPort === undefined || entryPort === port) && (host === domain || host.endsWith(`.${domain}`));
  });
  return exempt ? undefined : proxy;
}

/** Node's fetch, or for a URL with a proxy undici's fetch through a ProxyAgent (one per proxy URL). */
async function fetchFor(url: URL): Promise<Fetch> {
  const proxy = proxyFor(url);
  if (!proxy) return fetch;
  const undici = await import("undici");
  let dispatcher = proxyAgents.get(proxy);
  if (!dispatcher) proxyAgents.set(proxy, (dispatcher = new undici.ProxyAgent(proxy)));
  return (target, init) => undici.fetch(target, { ...(init as import("undici").RequestInit), dispatcher }) as unknown as Promise<Response>;
}

function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get("retry-after")?.trim();
  return value && /^\d+$/.test(value) ? (Number(value) + 1) * 1000 : undefined;
}

/** One attempt: the answer's headers within timeoutMs; the caller's signal can abort it and its body. */
async function attempt(doFetch: Fetch, url: URL, init: RequestInit, callerSignal: AbortSignal | undefined, timeoutMs: number | undefined): Promise<Response> {
  const controller = new AbortController();
  const forward = () => controller.abort(callerSignal!.reason);
  if (callerSignal?.aborted) forward();
  else callerSignal?.addEventListener("abort", forward, { once: true });
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(new DOMException("no answer in time", "TimeoutError")), timeoutMs);
  try {
    return await doFetch(url, { ...init, signal: controller.signal });
  } finally {
    clearTimeout(timer);
  }
}

/** GET/HEAD `url`, following redirects, with the token on the endpoint's origin only, retrying transient failures; throws a HubError for any other non-2xx. */
export async function hubRequest(env: HubEnvironment, url: string, context: RequestContext, request: HubRequest = {}): Promise<Response> {
  const origin = new URL(env.endpoint).origin;
  const method = request.method ?? "GET";
  const retry = request.retry ?? "all";
  let current = new URL(url);
  let redirects = 0;
  for (let retries = 0, waitMs = RETRY_POLICY.baseWaitMs; ; ) {
    const headers: Record<string, string> = { "user-agent": "embedtune (huggingface_hub protocol)", ...request.headers };
    if (env.token && current.origin === origin) headers.authorization = `Bearer ${env.token}`;
    let response: Response | undefined;
    let failure: HubError | undefined;
    let pauseMs: number | undefined;
    try {
      response = await attempt(await fetchFor(current), current, { method, headers, redirect: "manual" }, request.signal, request.timeoutMs);
    } catch (error) {
      failure = networkError(env, current, error);
      if (retry !== "all" || request.signal?.aborted || isPermanentConnectionFailure(error)) throw failure;
    }
    if (response) {
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        const target = new URL(location, current);
        if (request.stopAtCdnRedirect && (target.origin !== current.origin || response.headers.get("x-linked-etag"))) return response;
        if (++redirects > MAX_REDIRECTS) throw new HubNetworkError(`${env.endpoint}: more than ${MAX_REDIRECTS} redirects for ${url}`);
        await response.body?.cancel();
        current = target;
        continue;
      }
      if (response.ok) return response;
      await response.body?.cancel();
      failure = statusError(env, response, current, context);
      if (retry === "none" || !TRANSIENT_STATUSES.has(response.status)) throw failure;
      pauseMs = retryAfterMs(response);
    }
    if (retries >= RETRY_POLICY.maxRetries) {
      failure!.message += ` (after ${retries} retries)`;
      throw failure;
    }
    const sleepMs = pauseMs === undefined ? waitMs : Math.min(pauseMs, RETRY_POLICY.maxRetryAfterMs);
    retries++;
    process.stderr.write(`${failure!.message.split("; ")[0]}; retrying in ${(sleepMs / 1000).toFixed(1)} s [retry ${retries}/${RETRY_POLICY.maxRetries}]\n`);
    await new Promise((done) => setTimeout(done, sleepMs));
    waitMs = Math.min(RETRY_POLICY.maxWaitMs, waitMs * 2);
  }
}

/** Nothing listens there, or the host name does not exist: a retry would meet the same. */
function isPermanentConnectionFailure(error: unknown): boolean {
  const code = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined)?.code : undefined;
  return code === "ECONNREFUSED" || code === "ENOTFOUND";
}

/** A failed connection as one line naming the endpoint (or the other origin a redirect led to). */
export function networkError(env: HubEnvironment, url: URL, error: unknown): HubUnreachableError {
  const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
  const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
  return new HubUnreachableError(
    `cannot reach ${url.origin === new URL(env.endpoint).origin ? env.endpoint : url.origin} (${timedOut ? "timed out" : cause}); check HF_ENDPOINT and the network, or set HF_HUB_OFFLINE=1 to use only the cache`,
  );
}

/** A non-2xx answer as the matching HubError. */
export function statusError(env: HubEnvironment, response: Response, url: URL, context: RequestContext): HubError {
  const code = response.headers.get("x-error-code");
  const message = response.headers.get("x-error-message");
  const { repoId, repoType, revision, path } = context;
  if (code === "RevisionNotFound") return new RevisionNotFoundError(repoId, revision);
  if (code === "EntryNotFound") return new EntryNotFoundError(repoId, revision, path ?? url.pathname);
  if (code === "GatedRepo" || response.status === 403) return new GatedRepoError(repoId, repoPageUrl(env, repoId, repoType), env.token !== undefined);
  if (response.status === 401 && message === "Invalid credentials in Authorization header") {
    return new HubNetworkError(`${env.endpoint}: the token was refused (invalid credentials); check HF_TOKEN or the token option`);
  }
  if (code === "RepoNotFound" || response.status === 401) return new RepositoryNotFoundError(repoId, env.endpoint, env.token !== undefined);
  if (response.status === 404 && !code && url.pathname.includes("/api/")) {
    return new HubApiUnavailableError(`${env.endpoint}: ${url.pathname} answered 404 without X-Error-Code (a mirror without the Hub's API)`);
  }
  return new HubNetworkError(`${url.origin}: ${response.status} ${response.statusText || "error"} for ${url.pathname}${message ? ` (${message})` : ""}`);
}

/** GET a JSON document from the API, within HF_HUB_ETAG_TIMEOUT for the headers and again for the body. */
export async function hubJson<T>(env: HubEnvironment, url: string, context: RequestContext, retry: HubRequest["retry"] = "all"): Promise<{ body: T; response: Response }> {
  for (let retries = 0; ; retries++) {
    const controller = new AbortController();
    const response = await hubRequest(env, url, context, { signal: controller.signal, timeoutMs: env.metadataTimeoutMs, retry });
    const timer = setTimeout(() => controller.abort(new DOMException("no answer in time", "TimeoutError")), env.metadataTimeoutMs);
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // a body that stalls or is cut: retried like a failed connection
      const failure = networkError(env, new URL(url), error);
      if (retry !== "all" || retries >= RETRY_POLICY.maxRetries) throw failure;
      continue;
    } finally {
      clearTimeout(timer);
    }
    try {
      return { body: JSON.parse(text) as T, response };
    } catch {
      throw new HubApiUnavailableError(`${env.endpoint}: ${new URL(url).pathname} did not answer JSON (a mirror without the Hub's API, or HF_ENDPOINT is not a Hub)`);
    }
  }
}
