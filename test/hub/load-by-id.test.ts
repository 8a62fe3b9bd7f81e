// A model by Hub id through the public entry points — SentenceTransformer.load, the loadModel step and the
// CLI's --model ID (with --revision, --local-files-only) — against the Hub double: the same embeddings as the
// folder it was served from, the id as the fine-tuned model's base_model, and the cache reused offline.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { loadModel } from "../../src/steps.ts";
import { errorLine, runEmbedtune, show } from "../cli/embedtune-process.ts";
import { HubDouble } from "../support/hub-double.ts";
import { tinyModelTemplate } from "../support/model-fixtures.ts";
import { useHubTestEnv } from "./hub-test-env.ts";

let hub: HubDouble;
before(async () => {
  hub = await HubDouble.start({ lfsThreshold: 1024 });
  hub.addRepoFromFolder("org/tiny", await tinyModelTemplate());
});
after(() => hub.close());
const env = useHubTestEnv(() => hub);

async function localEmbedding(text: string): Promise<number[]> {
  const model = await SentenceTransformer.load(await tinyModelTemplate(), { quiet: true });
  const [embedding] = await model.encode([text]);
  model.dispose();
  return embedding;
}

/** The embeddings `embedtune encode` printed, one JSON array per line. */
function printedEmbeddings(stdout: string): number[][] {
  return stdout.trim().split("\n").map((line) => JSON.parse(line) as number[]);
}

describe("a model by Hub id", () => {
  test("SentenceTransformer.load and loadModel: the served folder's embeddings, base_model the id", async () => {
    const expected = await localEmbedding("a sentence");
    const model = await SentenceTransformer.load("org/tiny", { quiet: true });
    assert.deepEqual((await model.encode(["a sentence"]))[0], expected);
    assert.equal(model.modelCardData.baseModel, "org/tiny");
    model.dispose();
    const requestsBefore = hub.requests.length;
    const again = await loadModel("org/tiny", { quiet: true });
    assert.deepEqual((await again.encode(["a sentence"]))[0], expected);
    again.dispose();
    const bodies = hub.requests.slice(requestsBefore).filter((request) => request.method === "GET" && request.path.includes("/resolve/"));
    assert.deepEqual(bodies, [], "the second load downloads nothing");
  });

  test("embedtune encode --model ID, then offline from the cache, and --local-files-only without it", async () => {
    const expected = await localEmbedding("a sentence");
    const childEnv = { HF_HOME: env.home, HF_ENDPOINT: hub.endpoint, HF_HUB_DISABLE_PROGRESS_BARS: "1" };
    const first = await runEmbedtune(["encode", "--model", "org/tiny", "--revision", "main", "a sentence"], childEnv);
    assert.equal(first.status, 0, show(first));
    assert.deepEqual(printedEmbeddings(first.stdout)[0], expected);
    assert.ok(hub.requests.some((request) => request.path.includes("/resolve/")), "the first run downloads");

    hub.requests.length = 0;
    const offline = await runEmbedtune(["encode", "--model", "org/tiny", "a sentence"], { ...childEnv, HF_HUB_OFFLINE: "1" });
    assert.equal(offline.status, 0, show(offline));
    assert.deepEqual(printedEmbeddings(offline.stdout)[0], expected);
    assert.deepEqual(hub.requests, [], "offline makes no request");

    const emptyCache = await runEmbedtune(["encode", "--model", "org/tiny", "--local-files-only", "--cache-folder", `${env.home}/elsewhere`, "a sentence"], childEnv);
    const line = errorLine(emptyCache);
    assert.match(line, /org\/tiny/);
    assert.match(line, /not in the cache/);
    assert.deepEqual(hub.requests, [], "--local-files-only makes no request");
  });
});
