// The distance-metric enums accept what a sentence-transformers user would write, and name themselves in
// configs as Python's get_config_dict() does.

import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSiameseDistanceMetric, siameseDistanceMetricName } from "../../src/losses/contrastive.ts";
import { checkTripletDistanceMetric } from "../../src/losses/triplet.ts";
import { ArgumentError } from "../../src/errors.ts";

test("a metric is accepted by its value, member name or qualified name", () => {
  for (const given of ["cosine_distance", "COSINE_DISTANCE", "SiameseDistanceMetric.COSINE_DISTANCE"]) {
    assert.equal(checkSiameseDistanceMetric(given), "cosine_distance");
  }
  for (const given of ["manhattan", "MANHATTAN", "TripletDistanceMetric.MANHATTAN"]) {
    assert.equal(checkTripletDistanceMetric(given), "manhattan");
  }
});

test("anything else is one error naming the argument and the members", () => {
  assert.throws(
    () => checkTripletDistanceMetric("TripletDistanceMetric.COSINE_DISTANCE", "distance_metric"),
    (error: unknown) =>
      error instanceof ArgumentError &&
      error.message === 'distance_metric: "TripletDistanceMetric.COSINE_DISTANCE" is not a TripletDistanceMetric (use COSINE, EUCLIDEAN, MANHATTAN)',
  );
  assert.throws(() => checkSiameseDistanceMetric("cosine"), /"cosine" is not a SiameseDistanceMetric \(use EUCLIDEAN, MANHATTAN, COSINE_DISTANCE\)/);
});

test("the config names a metric by its qualified member name", () => {
  assert.equal(siameseDistanceMetricName("euclidean"), "SiameseDistanceMetric.EUCLIDEAN");
});
