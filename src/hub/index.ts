// Models and datasets by Hugging Face Hub id, in Python huggingface_hub's cache (shared both ways):
//   openRepository(id, type, options)   revision → commit + the file list (offline: from the cache);
//   downloadFiles(snapshot, paths)      those files into snapshots/<commit>/, downloading what is missing;
//   resolveModelFolder(idOrPath)        SentenceTransformer.load's folder: a local one, or the id's snapshot;
//   looksLikeRepoId(text)               "org/name" or "name" as the Hub accepts it.
// Options and env vars: see endpoint.ts (HF_ENDPOINT, HF_TOKEN, HF_HOME, HF_HUB_CACHE, HF_HUB_OFFLINE, …).

export type { HubOptions } from "./endpoint.ts";
export type { RepoType } from "./cache-layout.ts";
export type { RepoFile, RepoSnapshot } from "./repository.ts";
export { openRepository } from "./repository.ts";
export { downloadFiles } from "./file-download.ts";
export { looksLikeRepoId } from "./repo-id.ts";
export { resolveModelFolder, selectModelFiles } from "./model-download.ts";
export { hubCacheFolder, repoFolderName } from "./cache-layout.ts";
export {
  CorruptDownloadError,
  EntryNotFoundError,
  GatedRepoError,
  HubApiUnavailableError,
  HubError,
  HubNetworkError,
  HubUnreachableError,
  OfflineCacheMissError,
  RepositoryNotFoundError,
  RevisionNotFoundError,
  UnsupportedRepoError,
} from "./errors.ts";
