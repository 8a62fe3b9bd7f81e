// `embedtune train --model ID --dataset ID` against the Hub double: the model and the dataset come by id into
// Python's cache, --eval and --test default to the dataset's dev/validation and test splits (the convention maps
// dev.parquet to "validation"), the run trains and tests; a split the dataset lacks is one line naming its splits.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { errorLine, lastJsonLine, runEmbedtune } from "../cli/embedtune-process.ts";
import { HubDouble } from "../support/hub-double.ts";
import { tinyModelTemplate } from "../support/model-fixtures.ts";
import { projectRoot } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { useHubTestEnv } from "./hub-test-env.ts";

let hub: HubDouble;
before(async () => {
  hub = await HubDouble.start({ lfsThreshold: 1024 });
  hub.addRepoFromFolder("org/tiny", await tinyModelTemplate());
  hub.addRepoFromFolder("org/pair-score", join(projectRoot, "data", "pair-score"), { type: "dataset" });
});
after(() => hub.close());
const env = useHubTestEnv(() => hub);

test("train --model ID --dataset ID: both by id, eval and test splits found by name, before → after printed", async () => {
  const output = join(temporaryDirectory(), "run");
  const childEnv = { HF_HOME: env.home, HF_ENDPOINT: hub.endpoint, HF_HUB_DISABLE_PROGRESS_BARS: "1" };
  const run = await runEmbedtune(
    ["train", "--model", "org/tiny", "--dataset", "org/pair-score", "--max-steps", "3", "--batch-size", "8", "--eval-steps", "3", "--output", output],
    childEnv,
  );
  const metrics = lastJsonLine(run) as { before: Record<string, number>; after: Record<string, number> };
  assert.ok(Number.isFinite(metrics.before.test_spearman_cosine) && Number.isFinite(metrics.after.test_spearman_cosine));
  assert.match(run.stdout, /trained 3 steps/);
  const datasetDownloads = hub.requests.filter((request) => request.path.startsWith("/datasets/org/pair-score/resolve/")).map((request) => request.path);
  assert.ok(datasetDownloads.some((path) => path.endsWith("/dev.parquet")), "the dev split (eval) was fetched");

  const missing = await runEmbedtune(["train", "--model", "org/tiny", "--dataset", "org/pair-score", "--test", "holdout", "--output", `${output}-2`], {
    ...childEnv,
    HF_HUB_OFFLINE: "1",
  });
  assert.match(errorLine(missing), /--test: org\/pair-score has no split "holdout" \(splits: train, validation, test\)/);
});
