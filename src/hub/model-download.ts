// A sentence-transformers model by Hub id: which files SentenceTransformer needs, downloaded into the
// snapshot folder, as sentence-transformers (cache_folder = SENTENCE_TRANSFORMERS_HOME when not given) does.
// Selection: modules.json first; each module's folder (1_Pooling/, 2_Dense/, …) from the tree; at the root
// ROOT_FILES that exist, and the weights: model.safetensors, else model.safetensors.index.json + its shards.
// Without modules.json, a plain Hugging Face folder: the same root files and weights. Never pickles or other
// frameworks' weights (FORBIDDEN); a folder whose only weights are those → one line saying how to convert.
// Remote code (a *.py named by config.json's or tokenizer_config.json's auto_map) → one line naming it.
// On a mirror without the tree API (a "probe" listing) the same selection runs on the files a HEAD finds among
// those a sentence-transformers model can have: ROOT_FILES and the weights at the root, then MODULE_FILES in each
// module folder modules.json names (pickles are probed only to give the conversion advice, never downloaded).
// A local folder always wins over an id; text that is neither a folder nor id-shaped gets the loader's
// "model folder does not exist" error.

import { existsSync, readFileSync } from "node:fs";
import { assertModelDirectory } from "../io/model-folder.ts";
import { hubEnvironment, type HubOptions } from "./endpoint.ts";
import { HubApiUnavailableError, HubUnreachableError, RepositoryNotFoundError, UnsupportedRepoError } from "./errors.ts";
import { assertSafeRepoPath, downloadFiles, probeFiles } from "./file-download.ts";
import { looksLikeRepoId } from "./repo-id.ts";
import { openRepository, withHubListing, type RepoSnapshot } from "./repository.ts";

export const ROOT_FILES = [
  "modules.json",
  "config.json",
  "config_sentence_transformers.json",
  "sentence_bert_config.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "vocab.txt",
  "merges.txt",
  "vocab.json",
  "sentencepiece.bpe.model",
  "spiece.model",
  "added_tokens.json",
  "README.md",
];

/** What a module folder (1_Pooling/, 2_Dense/, a Transformer in a subfolder) can hold, for probing. */
const MODULE_FILES = ["config.json", "sentence_bert_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt",
  "merges.txt", "vocab.json", "sentencepiece.bpe.model", "spiece.model", "added_tokens.json"];

/** Weights of other frameworks and pickles: never downloaded. */
const FORBIDDEN = [/\.(bin|pt|pth|pkl|pickle|h5|msgpack|ckpt|ot|onnx)$/, /(^|\/)(onnx|openvino)\//];
const SAFETENSORS = "model.safetensors";
const SAFETENSORS_INDEX = "model.safetensors.index.json";
/** Probed only to tell a pickle-only folder from one without weights. */
const PICKLE_WEIGHTS = "pytorch_model.bin";

function isForbidden(path: string): boolean {
  return FORBIDDEN.some((pattern) => pattern.test(path));
}

function readJsonFile(repoId: string, path: string, name: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UnsupportedRepoError(`${repoId}: ${name} is not valid JSON (${(error as Error).message})`);
  }
}

function conversionAdvice(snapshot: RepoSnapshot, folder: string, hasModules: boolean): UnsupportedRepoError {
  const id = snapshot.repoId;
  const out = id.replace("/", "-") + "-safetensors";
  const python = hasModules
    ? `python -c "from sentence_transformers import SentenceTransformer; SentenceTransformer('${id}', revision='${snapshot.commit}').save('${out}', safe_serialization=True)"`
    : `python -c "from transformers import AutoModel, AutoTokenizer; r, d = '${id}', '${out}'; AutoModel.from_pretrained(r).save_pretrained(d, safe_serialization=True); AutoTokenizer.from_pretrained(r).save_pretrained(d)"`;
  return new UnsupportedRepoError(
    `${id}: ${folder || "the repo root"} has only PyTorch pickle weights (pytorch_model.bin), which embedtune never loads; convert them once with ${python} ` +
      `(or the Hub's Space https://huggingface.co/spaces/safetensors/convert) and load the folder ${out}`,
  );
}

/** The weights of one folder ("" = root): model.safetensors or the index + its shards. */
async function weightFiles(snapshot: RepoSnapshot, folder: string, paths: Set<string>, options: HubOptions, hasModules: boolean): Promise<string[]> {
  const prefix = folder ? `${folder}/` : "";
  if (paths.has(prefix + SAFETENSORS)) return [prefix + SAFETENSORS];
  if (paths.has(prefix + SAFETENSORS_INDEX)) {
    const [index] = await downloadFiles(snapshot, [prefix + SAFETENSORS_INDEX], options);
    const weightMap = (readJsonFile(snapshot.repoId, index, prefix + SAFETENSORS_INDEX) as { weight_map?: Record<string, string> }).weight_map;
    if (!weightMap || typeof weightMap !== "object") throw new UnsupportedRepoError(`${snapshot.repoId}: ${prefix + SAFETENSORS_INDEX} has no weight_map`);
    return [prefix + SAFETENSORS_INDEX, ...new Set(Object.values(weightMap).map((shard) => prefix + String(shard)))];
  }
  const inFolder = [...paths].filter((path) => path.startsWith(prefix) && !path.slice(prefix.length).includes("/"));
  if (inFolder.some((path) => /(^|\/)pytorch_model[^/]*\.bin$/.test(path) || /\.(pt|pth|pkl|ckpt)$/.test(path))) throw conversionAdvice(snapshot, folder, hasModules);
  if (folder === "") {
    throw new UnsupportedRepoError(`${snapshot.repoId}: no ${SAFETENSORS} or ${SAFETENSORS_INDEX} at revision ${snapshot.revision} (embedtune loads safetensors weights only)`);
  }
  return [];
}

/** config.json / tokenizer_config.json auto_map entries point to Python files: remote code, not supported. */
function refuseRemoteCode(snapshot: RepoSnapshot, localPath: string, name: string): void {
  const autoMap = (readJsonFile(snapshot.repoId, localPath, name) as { auto_map?: Record<string, unknown> }).auto_map;
  if (!autoMap || typeof autoMap !== "object") return;
  const references = Object.values(autoMap).flat().filter((value): value is string => typeof value === "string");
  if (references.length === 0) return;
  const module = references[0].split("--").pop()!.split(".")[0];
  throw new UnsupportedRepoError(`${snapshot.repoId}: ${name} auto_map needs ${module}.py (remote code, trust_remote_code), which embedtune does not run`);
}

/** The module folders modules.json names ("" = the root), checked to stay inside the repo. */
async function readModuleFolders(snapshot: RepoSnapshot, options: HubOptions): Promise<string[]> {
  const [modulesPath] = await downloadFiles(snapshot, ["modules.json"], options);
  const modules = readJsonFile(snapshot.repoId, modulesPath, "modules.json");
  if (!Array.isArray(modules)) throw new UnsupportedRepoError(`${snapshot.repoId}: modules.json is not a list of modules`);
  return modules.map((module: { path?: unknown }) => {
    if (typeof module?.path !== "string") throw new UnsupportedRepoError(`${snapshot.repoId}: modules.json has a module without a "path"`);
    const folder = module.path.replace(/\/+$/, "");
    if (folder !== "") assertSafeRepoPath(snapshot.repoId, folder);
    return folder;
  });
}

/** A "probe" snapshot with the files a sentence-transformers model can have that the commit holds (HEAD each);
 *  pytorch_model.bin is probed only in a folder without safetensors weights (for the conversion advice). */
async function probedModelSnapshot(snapshot: RepoSnapshot, options: HubOptions): Promise<RepoSnapshot> {
  const probeFolders = async (probed: RepoSnapshot, folders: string[], names: string[]): Promise<RepoSnapshot> => {
    const prefixed = folders.flatMap((folder) => names.map((name) => (folder ? `${folder}/${name}` : name)));
    let found = { ...probed, files: [...probed.files, ...(await probeFiles(probed, prefixed, options))] };
    const has = (path: string) => found.files.some((file) => file.path === path);
    const withoutWeights = folders.filter((folder) => ![SAFETENSORS, SAFETENSORS_INDEX].some((name) => has(folder ? `${folder}/${name}` : name)));
    const pickles = withoutWeights.map((folder) => (folder ? `${folder}/${PICKLE_WEIGHTS}` : PICKLE_WEIGHTS));
    found = { ...found, files: [...found.files, ...(await probeFiles(found, pickles, options))] };
    return found;
  };
  const probed = await probeFolders({ ...snapshot, files: [] }, [""], [...ROOT_FILES, SAFETENSORS, SAFETENSORS_INDEX]);
  if (!probed.files.some((file) => file.path === "modules.json")) return probed;
  const folders = (await readModuleFolders(probed, options)).filter((folder) => folder !== "");
  return probeFolders(probed, folders, [...MODULE_FILES, SAFETENSORS, SAFETENSORS_INDEX]);
}

/** The files SentenceTransformer needs from this snapshot, in download order. */
export async function selectModelFiles(snapshot: RepoSnapshot, options: HubOptions = {}): Promise<string[]> {
  const paths = new Set(snapshot.files.map((file) => file.path));
  const selected = new Set(ROOT_FILES.filter((name) => paths.has(name)));
  const moduleFolders = paths.has("modules.json") ? await readModuleFolders(snapshot, options) : [];
  const hasModules = moduleFolders.length > 0;
  if (!hasModules || moduleFolders.includes("")) for (const path of await weightFiles(snapshot, "", paths, options, hasModules)) selected.add(path);
  for (const folder of moduleFolders.filter((folder) => folder !== "")) {
    for (const path of paths) if (path.startsWith(`${folder}/`) && !isForbidden(path) && !path.endsWith(".py")) selected.add(path);
    for (const path of await weightFiles(snapshot, folder, paths, options, hasModules)) selected.add(path);
  }
  return [...selected];
}

/** For SentenceTransformer.load: an existing local path is returned as it is; else the id's snapshot folder with the model's files. */
export async function resolveModelFolder(idOrPath: string, options: HubOptions = {}): Promise<{ folder: string; repoId?: string; commit?: string }> {
  if (existsSync(idOrPath) || !looksLikeRepoId(idOrPath)) {
    assertModelDirectory(idOrPath);
    return { folder: idOrPath };
  }
  const hubOptions = { ...options, cacheFolder: options.cacheFolder ?? (process.env.SENTENCE_TRANSFORMERS_HOME || undefined) };
  let snapshot: RepoSnapshot;
  try {
    snapshot = await openRepository(idOrPath, "model", hubOptions);
  } catch (error) {
    // "models/bge-small" may have been meant as a folder: say that it was looked for as one too
    if (error instanceof RepositoryNotFoundError || error instanceof HubUnreachableError) error.message = `no local folder ${idOrPath}; as a Hub model id: ${error.message}`;
    throw error;
  }
  if (snapshot.listing === "probe") snapshot = await probedModelSnapshot(snapshot, hubOptions);
  let files: string[];
  try {
    files = await selectModelFiles(snapshot, hubOptions);
  } catch (error) {
    // a snapshot folder Python filled only in part (no trees/<commit>.json): ask the Hub what the commit holds
    if (!(error instanceof UnsupportedRepoError) || snapshot.listing !== "snapshot" || hubEnvironment(hubOptions).offline) throw error;
    try {
      snapshot = await withHubListing(snapshot, hubOptions);
    } catch (listingError) {
      if (!(listingError instanceof HubApiUnavailableError)) throw listingError;
      snapshot = await probedModelSnapshot({ ...snapshot, files: [], listing: "probe" }, hubOptions);
    }
    files = await selectModelFiles(snapshot, hubOptions);
  }
  const configs = ["config.json", "tokenizer_config.json"].filter((name) => files.includes(name));
  const configPaths = await downloadFiles(snapshot, configs, hubOptions);
  configs.forEach((name, index) => refuseRemoteCode(snapshot, configPaths[index], name));
  await downloadFiles(snapshot, files, hubOptions);
  return { folder: snapshot.folder, repoId: snapshot.repoId, commit: snapshot.commit };
}
