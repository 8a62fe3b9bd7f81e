// Shared set-up of the Hub tests: a fresh HF_HOME per test, HF_ENDPOINT at the double, and no Hub variable
// of the machine's own (tokens, offline flags, caches) leaking in; restored after each test.
import { afterEach, beforeEach } from "node:test";
import { join } from "node:path";
import { temporaryDirectory } from "../support/temp.ts";
import type { HubDouble } from "../support/hub-double.ts";

const HUB_VARIABLES = [
  "HF_ENDPOINT", "HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "XDG_CACHE_HOME", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN",
  "HF_TOKEN_PATH", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS", "SENTENCE_TRANSFORMERS_HOME",
  "HF_HUB_ETAG_TIMEOUT", "HF_HUB_DOWNLOAD_TIMEOUT",
];

export interface HubTestEnv {
  /** this test's HF_HOME; the hub cache is home/hub */
  home: string;
  cache: string;
}

/** Installs the per-test environment for `hub()`; returns a live view of the current test's folders. */
export function useHubTestEnv(hub: () => HubDouble): HubTestEnv {
  const current: HubTestEnv = { home: "", cache: "" };
  let saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    saved = Object.fromEntries(HUB_VARIABLES.map((name) => [name, process.env[name]]));
    for (const name of HUB_VARIABLES) delete process.env[name];
    current.home = temporaryDirectory("embedtune-hf-home-");
    current.cache = join(current.home, "hub");
    process.env.HF_HOME = current.home;
    process.env.HF_ENDPOINT = hub().endpoint;
    process.env.HF_HUB_DISABLE_PROGRESS_BARS = "1";
    hub().requests.length = 0;
    hub().resetSwitches();
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  return current;
}
