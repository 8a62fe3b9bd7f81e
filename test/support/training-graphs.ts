// A family's two training graphs run as the onnxruntime engine runs them: the training forward gives
// last_hidden_state and the saved activations (outputs named SAVED_PREFIX…), the backward takes those back
// with the hidden state's gradient. Feeds may hold more than a graph reads (token inputs, weights, masks):
// each graph gets the ones it declares.

import * as ort from "onnxruntime-node";
import { declaredFeeds } from "../../src/engines/onnxruntime/session.ts";
import { HIDDEN_GRADIENT_INPUT, HIDDEN_OUTPUT, SAVED_PREFIX, type EncoderConfig, type OnnxArchitecture } from "../../src/engines/architecture.ts";

export interface TrainingGraphs {
  /** last_hidden_state and the saved activations of one batch. */
  forward(feeds: Record<string, ort.Tensor>): Promise<{ hidden: Float32Array; saved: Record<string, ort.Tensor> }>;
  /** The backward graph's outputs by name, for d last_hidden_state [B, T, H]. */
  backward(feeds: Record<string, ort.Tensor>, saved: Record<string, ort.Tensor>, hiddenGradient: Float32Array, shape: number[]): Promise<Map<string, Float32Array>>;
  release(): Promise<void>;
}

export async function createTrainingGraphs<C extends EncoderConfig>(
  onnx: OnnxArchitecture<C>,
  config: C,
  options: { dropout: boolean },
  sessionOptions: ort.InferenceSession.SessionOptions = {},
): Promise<TrainingGraphs> {
  const forwardSession = await ort.InferenceSession.create(onnx.buildTrainingForward(config, options), sessionOptions);
  const backwardSession = await ort.InferenceSession.create(onnx.buildTrainingBackward(config, options), sessionOptions);
  return {
    async forward(feeds) {
      const outputs = await forwardSession.run(declaredFeeds(forwardSession, feeds));
      const saved = Object.fromEntries(Object.entries(outputs).filter(([name]) => name.startsWith(SAVED_PREFIX)));
      return { hidden: outputs[HIDDEN_OUTPUT].data as Float32Array, saved };
    },
    async backward(feeds, saved, hiddenGradient, shape) {
      const all = { ...feeds, ...saved, [HIDDEN_GRADIENT_INPUT]: new ort.Tensor("float32", hiddenGradient, shape) };
      const outputs = await backwardSession.run(declaredFeeds(backwardSession, all));
      return new Map(Object.entries(outputs).map(([name, tensor]) => [name, tensor.data as Float32Array]));
    },
    async release() {
      await Promise.all([forwardSession.release(), backwardSession.release()]);
    },
  };
}
