// A Hub dataset repo → local copies of one config's data files, as datasets' HubDatasetModuleFactory finds
// them: the repo opened at the revision (through src/hub: Hugging Face's cache, HF_ENDPOINT, HF_TOKEN,
// HF_HUB_OFFLINE), README.md and .huggingface.yaml downloaded when the repo has them, the config resolved
// against the repo's file list (dataset-configs.ts), then only that config's files — only the split's with
// `split` — downloaded.
// A repo with a loading script (<name>.py) is refused, as datasets ≥ 4 does.
import { readFileSync } from "node:fs";
import { ArgumentError } from "../errors.ts";
import { downloadFiles, looksLikeRepoId, openRepository, type HubOptions } from "../hub/index.ts";
import { resolveDatasetConfig, splitFilesOf, type ConfigRequest, type ResolvedConfig } from "./dataset-configs.ts";
import { DataLoadError } from "./errors.ts";

/** The Hub options of loadDataset: revision, cacheFolder, token, localFilesOnly, showProgress. */
export type HubDatasetOptions = HubOptions;

export interface HubDatasetRequest extends ConfigRequest {
  /** Download only this split's files. */
  split?: string;
}

export interface HubDatasetFiles {
  config: ResolvedConfig;
  /** Repo-relative path → its file in the cache's snapshot folder, for the downloaded files. */
  localPaths: Map<string, string>;
}

export async function loadHubDatasetFiles(repoId: string, request: HubDatasetRequest, options: HubDatasetOptions): Promise<HubDatasetFiles> {
  if (!looksLikeRepoId(repoId)) throw new ArgumentError("path", `${repoId}: no such folder, and not a Hub dataset id ("org/name")`);
  const hubOptions: HubOptions = {
    revision: options.revision, cacheFolder: options.cacheFolder, token: options.token, localFilesOnly: options.localFilesOnly, showProgress: options.showProgress,
  };
  const snapshot = await openRepository(repoId, "dataset", hubOptions);
  const paths = snapshot.files.map((file) => file.path);
  const script = `${repoId.slice(repoId.lastIndexOf("/") + 1)}.py`;
  if (paths.includes(script)) throw new DataLoadError(`${repoId}: ${script}`, `Dataset scripts are no longer supported, but found ${script} (as in datasets 4)`);
  const metadataFiles = ["README.md", ".huggingface.yaml"].filter((name) => paths.includes(name));
  const metadata = new Map((await downloadFiles(snapshot, metadataFiles, hubOptions)).map((local, index) => [metadataFiles[index], readFileSync(local, "utf8")]));
  const config = resolveDatasetConfig({ source: repoId, files: paths, readme: metadata.get("README.md"), standaloneYaml: metadata.get(".huggingface.yaml") }, request);
  const wanted = request.split !== undefined ? splitFilesOf(config, request.split) : [...new Set([...config.splits.values()].flat())];
  const local = await downloadFiles(snapshot, wanted, hubOptions);
  return { config, localPaths: new Map(wanted.map((path, index) => [path, local[index]])) };
}
