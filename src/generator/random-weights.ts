// Random initial weights of any family's encoder, as Hugging Face's _init_weights does for these
// encoders: Linear and Embedding weights ~ N(0, initializer_range²) in parameters() order, biases zero,
// norm weights 1, the frozen (padding_idx) rows zero. Seeded: the same seed gives the same weights.

import type { EncoderConfig } from "../engines/architecture.ts";
import type { NamedTensorValues } from "../models/encoder-weights.ts";
import type { ModelFamily } from "../models/families/family.ts";
import { createRandom } from "../util/random.ts";

const NORM_MODULE = /layernorm|(^|\.)norm\.|_norm\./i;

export function randomWeights<C extends EncoderConfig>(family: ModelFamily<C>, config: C, initializerRange: number, seed: number): NamedTensorValues[] {
  const random = createRandom(seed);
  const tensors = family.parameters(config).map(({ name, torchShape }) => {
    const values = new Float32Array(torchShape.reduce((a, b) => a * b, 1));
    if (NORM_MODULE.test(name)) values.fill(name.endsWith(".weight") ? 1 : 0);
    else if (!name.endsWith(".bias")) for (let i = 0; i < values.length; i++) values[i] = random.normal() * initializerRange;
    return { name, shape: torchShape, values };
  });
  for (const { parameter, row } of family.frozenRows(config)) {
    const tensor = tensors.find((t) => t.name === parameter)!;
    const width = tensor.shape[1];
    tensor.values.fill(0, row * width, (row + 1) * width);
  }
  return tensors;
}
