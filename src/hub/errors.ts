// Errors of Hub downloads, each one line a user can act on (the CLI prints it as it is). They name the repo,
// the revision or file and the endpoint, as huggingface_hub's RepositoryNotFoundError / RevisionNotFoundError /
// EntryNotFoundError / GatedRepoError / LocalEntryNotFoundError do, without Python's multi-line advice.

import { EmbedtuneError } from "../errors.ts";

/** Base class of every Hub failure. */
export class HubError extends EmbedtuneError {}

/** 404 RepoNotFound, or 401 without the gated marker (the Hub hides private repos that way). */
export class RepositoryNotFoundError extends HubError {
  constructor(readonly repoId: string, endpoint: string, authenticated: boolean) {
    super(
      `${repoId}: repository not found at ${endpoint}` +
        (authenticated ? " (check the id; a private repo needs a token with access to it)" : " (check the id; a private repo needs HF_TOKEN or the token option)"),
    );
  }
}

export class RevisionNotFoundError extends HubError {
  constructor(readonly repoId: string, readonly revision: string) {
    super(`${repoId}: revision "${revision}" not found (a branch, tag or 40-hex commit of the repo)`);
  }
}

export class EntryNotFoundError extends HubError {
  constructor(readonly repoId: string, readonly revision: string, readonly path: string) {
    super(`${repoId}@${revision}: file ${path} not found in the repo`);
  }
}

/** 401/403 on a gated repo: the licence is not accepted, or no token was sent. */
export class GatedRepoError extends HubError {
  constructor(readonly repoId: string, url: string, tokenSent: boolean) {
    super(
      tokenSent
        ? `${repoId}: gated repo and this token has no access: accept the licence at ${url} with the token's account`
        : `${repoId}: gated repo: accept the licence at ${url} and set HF_TOKEN or pass token`,
    );
  }
}

/** Offline (HF_HUB_OFFLINE / localFilesOnly) and the cache does not hold what is asked for. */
export class OfflineCacheMissError extends HubError {
  constructor(readonly repoId: string, readonly revision: string, what: string, cachePath: string) {
    super(`${repoId}@${revision}: ${what} is not in the cache at ${cachePath} and downloads are off (HF_HUB_OFFLINE or localFilesOnly)`);
  }
}

/** The endpoint could not be reached, or answered in a way that is not the Hub's protocol. */
export class HubNetworkError extends HubError {}

/** The endpoint has no Hub API (a mirror serving only /resolve/): 404 without X-Error-Code, or not JSON. */
export class HubApiUnavailableError extends HubNetworkError {}

/** The connection failed, timed out or was dropped: worth a retry, or the cache when there is one. */
export class HubUnreachableError extends HubNetworkError {}

/** A downloaded file does not match what the Hub announced (size or sha256): nothing is stored. */
export class CorruptDownloadError extends HubError {}

/** The repo holds something embedtune will not load (pickles, remote code, unsafe paths). */
export class UnsupportedRepoError extends HubError {}
