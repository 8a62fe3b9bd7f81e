// How the Hub settings are read from options and env vars, as huggingface_hub's constants.py / _auth.py read
// them, and what the download progress shows where.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { hubCacheFolder } from "../../src/hub/cache-layout.ts";
import { hubEnvironment } from "../../src/hub/endpoint.ts";
import { resolveModelFolder } from "../../src/hub/index.ts";
import type { TslabJupyter } from "../../src/notebook/display.ts";
import { HubDouble } from "../support/hub-double.ts";
import { useHubTestEnv } from "./hub-test-env.ts";

let hub: HubDouble;
before(async () => {
  hub = await HubDouble.start();
  hub.addRepo("org/big").commit({ "config.json": "{}", "model.safetensors": randomBytes(1_500_321) }); // not whole kB: the notebook line must still end at its total
});
after(() => hub.close());
const env = useHubTestEnv(() => hub);

describe("settings", () => {
  test("HF_ENDPOINT without its trailing slash; huggingface.co by default", () => {
    process.env.HF_ENDPOINT = "https://hf-mirror.com/";
    assert.equal(hubEnvironment().endpoint, "https://hf-mirror.com");
    delete process.env.HF_ENDPOINT;
    assert.equal(hubEnvironment().endpoint, "https://huggingface.co");
  });

  test("token: the option, else HF_TOKEN, else HUGGING_FACE_HUB_TOKEN, else the HF_TOKEN_PATH / $HF_HOME/token file; false = none", () => {
    assert.equal(hubEnvironment().token, undefined);
    writeFileSync(join(env.home, "token"), "  from-home-file\n");
    assert.equal(hubEnvironment().token, "from-home-file");
    const elsewhere = join(env.home, "other-token");
    writeFileSync(elsewhere, "from-token-path");
    process.env.HF_TOKEN_PATH = elsewhere;
    assert.equal(hubEnvironment().token, "from-token-path");
    process.env.HUGGING_FACE_HUB_TOKEN = "legacy";
    assert.equal(hubEnvironment().token, "legacy");
    process.env.HF_TOKEN = "hf_env\r\n";
    assert.equal(hubEnvironment().token, "hf_env");
    assert.equal(hubEnvironment({ token: "given" }).token, "given");
    assert.equal(hubEnvironment({ token: false }).token, undefined);
  });

  test("offline: HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE in 1/ON/YES/TRUE (any case), or localFilesOnly", () => {
    for (const value of ["1", "on", "YES", "true"]) {
      process.env.HF_HUB_OFFLINE = value;
      assert.equal(hubEnvironment().offline, true, value);
    }
    process.env.HF_HUB_OFFLINE = "0";
    assert.equal(hubEnvironment().offline, false);
    assert.equal(hubEnvironment({ localFilesOnly: true }).offline, true);
  });

  test("cache folder: argument, HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE, $HF_HOME/hub, $XDG_CACHE_HOME/huggingface/hub, ~/.cache/huggingface/hub", () => {
    delete process.env.HF_HOME;
    assert.equal(hubCacheFolder(), join(homedir(), ".cache/huggingface/hub"));
    process.env.XDG_CACHE_HOME = "/x";
    assert.equal(hubCacheFolder(), "/x/huggingface/hub");
    process.env.HF_HOME = "/h";
    assert.equal(hubCacheFolder(), "/h/hub");
    process.env.HUGGINGFACE_HUB_CACHE = "/legacy";
    assert.equal(hubCacheFolder(), "/legacy");
    process.env.HF_HUB_CACHE = "/c";
    assert.equal(hubCacheFolder(), "/c");
    assert.equal(hubCacheFolder("/given"), "/given");
  });

  test("a timeout that is not a positive number: one line naming the variable", () => {
    process.env.HF_HUB_DOWNLOAD_TIMEOUT = "soon";
    assert.throws(() => hubEnvironment(), { message: 'HF_HUB_DOWNLOAD_TIMEOUT: must be a positive number of seconds, got "soon"' });
  });
});

describe("progress", () => {
  async function stderrOf(work: () => Promise<unknown>): Promise<string> {
    const write = process.stderr.write;
    let text = "";
    process.stderr.write = ((chunk: string | Uint8Array) => ((text += String(chunk)), true)) as typeof process.stderr.write;
    try {
      await work();
    } finally {
      process.stderr.write = write;
    }
    return text;
  }

  test("piped: one summary line per file of 1 MB or more; nothing with HF_HUB_DISABLE_PROGRESS_BARS=1 or showProgress false", async () => {
    delete process.env.HF_HUB_DISABLE_PROGRESS_BARS;
    const shown = await stderrOf(() => resolveModelFolder("org/big"));
    assert.match(shown, /^Downloaded model\.safetensors: 1\.5 MB in \d+\.\d s \([\d.]+ [kMG]B\/s\)\n$/);
    process.env.HF_HUB_CACHE = join(env.home, "second");
    process.env.HF_HUB_DISABLE_PROGRESS_BARS = "1";
    assert.equal(await stderrOf(() => resolveModelFolder("org/big")), "");
    delete process.env.HF_HUB_DISABLE_PROGRESS_BARS;
    process.env.HF_HUB_CACHE = join(env.home, "third");
    assert.equal(await stderrOf(() => resolveModelFolder("org/big", { showProgress: false })), "");
  });

  test("in a notebook cell: a live line updated in place, ending 'done', and nothing on stderr", async () => {
    delete process.env.HF_HUB_DISABLE_PROGRESS_BARS;
    const jupyter = createRequire(import.meta.url)("tslab/dist/jupyter") as TslabJupyter;
    const lines: { text: string; update: boolean }[] = [];
    jupyter.lastWriteDisplayData = (message, update) => void lines.push({ text: String(message.data["text/plain"]), update });
    let stderr: string;
    try {
      stderr = await stderrOf(() => resolveModelFolder("org/big"));
    } finally {
      jupyter.lastWriteDisplayData = null;
    }
    assert.equal(stderr, "");
    assert.match(lines[0].text, /^Downloading model\.safetensors \(kB\) 0\/1501 · /);
    assert.equal(lines[0].update, false);
    assert.ok(lines.slice(1).every((line) => line.update), "later draws replace the first");
    assert.match(lines.at(-1)!.text, /^Downloading model\.safetensors \(kB\) done: 1501\/1501 in /);
  });
});
