// Where and how to talk to the Hub, read the way huggingface_hub's constants.py and utils/_auth.py read it:
//   endpoint  HF_ENDPOINT (default https://huggingface.co, trailing "/" stripped);
//   token     the `token` option (false = none), else HF_TOKEN / HUGGING_FACE_HUB_TOKEN, else the file
//             HF_TOKEN_PATH (default $HF_HOME/token); trimmed, an empty one is none; any shape is accepted;
//   offline   HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE true ("1", "ON", "YES", "TRUE"), or localFilesOnly;
//   progress  off when HF_HUB_DISABLE_PROGRESS_BARS is true or showProgress is false;
//   timeouts  HF_HUB_ETAG_TIMEOUT (metadata) and HF_HUB_DOWNLOAD_TIMEOUT (silence during a body), 10 s each.
// Read at each call, so a test or a notebook that sets an env var sees it take effect.

import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { ArgumentError } from "../errors.ts";

export interface HubOptions {
  /** Branch, tag or 40-hex commit; default "main". */
  revision?: string;
  /** The hub cache folder (models--org--name/ below it); default HF_HUB_CACHE, else $HF_HOME/hub. */
  cacheFolder?: string;
  /** Default HF_TOKEN, then $HF_HOME/token; false = send none. */
  token?: string | false;
  /** Only the cache, no request; also forced by HF_HUB_OFFLINE=1. */
  localFilesOnly?: boolean;
  /** Default auto: bars on a terminal's stderr, a live line in a notebook, one summary line elsewhere. */
  showProgress?: boolean;
}

export interface HubEnvironment {
  endpoint: string;
  token: string | undefined;
  offline: boolean;
  /** false: nothing at all (HF_HUB_DISABLE_PROGRESS_BARS or showProgress false); else shown as the place allows. */
  showProgress: boolean;
  metadataTimeoutMs: number;
  downloadTimeoutMs: number;
}

export const DEFAULT_ENDPOINT = "https://huggingface.co";

/** huggingface_hub's _is_true. */
export function envFlag(name: string): boolean {
  return ["1", "ON", "YES", "TRUE"].includes((process.env[name] ?? "").toUpperCase());
}

/** $HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface. */
export function huggingFaceHome(): string {
  return process.env.HF_HOME || join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "huggingface");
}

function cleanToken(token: string | undefined): string | undefined {
  const cleaned = token?.replace(/[\r\n]/g, "").trim();
  return cleaned || undefined;
}

function storedToken(): string | undefined {
  const path = process.env.HF_TOKEN_PATH || join(huggingFaceHome(), "token");
  try {
    return cleanToken(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

function timeoutMs(name: string): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return 10_000;
  const seconds = Number(raw);
  if (!(seconds > 0)) throw new ArgumentError(name, `must be a positive number of seconds, got "${raw}"`);
  return seconds * 1000;
}

export function hubEnvironment(options: HubOptions = {}): HubEnvironment {
  const token = options.token === false ? undefined : cleanToken(options.token) ?? cleanToken(process.env.HF_TOKEN || process.env.HUGGING_FACE_HUB_TOKEN) ?? storedToken();
  return {
    endpoint: (process.env.HF_ENDPOINT || DEFAULT_ENDPOINT).replace(/\/+$/, ""),
    token,
    offline: options.localFilesOnly === true || envFlag("HF_HUB_OFFLINE") || envFlag("TRANSFORMERS_OFFLINE"),
    showProgress: envFlag("HF_HUB_DISABLE_PROGRESS_BARS") ? false : options.showProgress ?? true,
    metadataTimeoutMs: timeoutMs("HF_HUB_ETAG_TIMEOUT"),
    downloadTimeoutMs: timeoutMs("HF_HUB_DOWNLOAD_TIMEOUT"),
  };
}
