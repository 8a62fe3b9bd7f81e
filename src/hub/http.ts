// Requests to the Hub on Node's fetch, with huggingface_hub's error mapping (utils/_http.py hf_raise_for_status):
// X-Error-Code RevisionNotFound / EntryNotFound / GatedRepo / RepoNotFound, and a 401 that is not about the
// token's validity = repo not found (the Hub hides private repos that way). Redirects are followed here: a
// relative one (renamed repo) keeps the Authorization header, one to another origin (the CDN of LFS files)
// drops it. A network failure becomes one line naming the endpoint.

import { EntryNotFoundError, GatedRepoError, HubError, HubNetworkError, HubUnreachableError, RepositoryNotFoundError, RevisionNotFoundError } from "./errors.ts";
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
  /** aborts the request (the caller's timeout) */
  signal?: AbortSignal;
}

const MAX_REDIRECTS = 10;

/** The repo's page, where a gated repo's licence is accepted. */
export function repoPageUrl(env: HubEnvironment, repoId: string, repoType: RepoType): string {
  return `${env.endpoint}/${repoType === "dataset" ? "datasets/" : ""}${repoId}`;
}

/** GET/HEAD `url`, following redirects, with the token on the endpoint's origin only; throws a HubError for any non-2xx. */
export async function hubRequest(env: HubEnvironment, url: string, context: RequestContext, request: HubRequest = {}): Promise<Response> {
  const origin = new URL(env.endpoint).origin;
  let current = new URL(url);
  for (let redirects = 0; ; redirects++) {
    const headers: Record<string, string> = { "user-agent": "embedtune (huggingface_hub protocol)", ...request.headers };
    if (env.token && current.origin === origin) headers.authorization = `Bearer ${env.token}`;
    let response: Response;
    try {
      response = await fetch(current, { method: request.method ?? "GET", headers, redirect: "manual", signal: request.signal });
    } catch (error) {
      throw networkError(env, current, error);
    }
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      if (redirects >= MAX_REDIRECTS) throw new HubNetworkError(`${env.endpoint}: more than ${MAX_REDIRECTS} redirects for ${url}`);
      await response.body?.cancel();
      current = new URL(location, current);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw statusError(env, response, current, context);
    }
    return response;
  }
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
  return new HubNetworkError(`${url.origin}: ${response.status} ${response.statusText || "error"} for ${url.pathname}${message ? ` (${message})` : ""}`);
}

/** GET a JSON document from the API. */
export async function hubJson<T>(env: HubEnvironment, url: string, context: RequestContext): Promise<{ body: T; response: Response }> {
  const response = await hubRequest(env, url, context, { signal: AbortSignal.timeout(env.metadataTimeoutMs) });
  try {
    return { body: (await response.json()) as T, response };
  } catch (error) {
    if (error instanceof Error && error.name === "TimeoutError") throw networkError(env, new URL(url), error);
    throw new HubNetworkError(`${env.endpoint}: ${new URL(url).pathname} did not answer JSON (is HF_ENDPOINT a Hub?)`);
  }
}
