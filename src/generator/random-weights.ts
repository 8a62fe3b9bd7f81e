// Random initial weights of a BERT encoder, as Hugging Face's BertPreTrainedModel._init_weights does:
// Linear and Embedding weights ~ N(0, initializer_range²), the padding row of the word embeddings
// zero, biases zero, LayerNorm weight 1 and bias 0. Seeded: the same seed gives the same weights.

import type { BertConfig } from "../models/bert-config.ts";
import type { NamedTensorValues } from "../models/bert-weights.ts";
import { createRandom } from "../util/random.ts";

export function randomBertWeights(config: BertConfig, initializerRange: number, seed: number): NamedTensorValues[] {
  const random = createRandom(seed);
  const hidden = config.hiddenSize;
  const tensors: NamedTensorValues[] = [];
  const normal = (name: string, shape: number[]) => {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++) values[i] = random.normal() * initializerRange;
    tensors.push({ name, shape, values });
    return values;
  };
  const constant = (name: string, size: number, value: number) =>
    tensors.push({ name, shape: [size], values: new Float32Array(size).fill(value) });
  const linear = (name: string, inputs: number, outputs: number) => {
    normal(`${name}.weight`, [outputs, inputs]);
    constant(`${name}.bias`, outputs, 0);
  };
  const layerNorm = (name: string) => {
    constant(`${name}.weight`, hidden, 1);
    constant(`${name}.bias`, hidden, 0);
  };
  const words = normal("embeddings.word_embeddings.weight", [config.vocabSize, hidden]);
  words.fill(0, config.padTokenId * hidden, (config.padTokenId + 1) * hidden);
  normal("embeddings.position_embeddings.weight", [config.maxPositionEmbeddings, hidden]);
  normal("embeddings.token_type_embeddings.weight", [config.typeVocabSize, hidden]);
  layerNorm("embeddings.LayerNorm");
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const prefix = `encoder.layer.${i}`;
    linear(`${prefix}.attention.self.query`, hidden, hidden);
    linear(`${prefix}.attention.self.key`, hidden, hidden);
    linear(`${prefix}.attention.self.value`, hidden, hidden);
    linear(`${prefix}.attention.output.dense`, hidden, hidden);
    layerNorm(`${prefix}.attention.output.LayerNorm`);
    linear(`${prefix}.intermediate.dense`, hidden, config.intermediateSize);
    linear(`${prefix}.output.dense`, config.intermediateSize, hidden);
    layerNorm(`${prefix}.output.LayerNorm`);
  }
  return tensors;
}
