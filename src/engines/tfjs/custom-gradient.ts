// A typed front to tf.customGrad: `forward(inputs, save)` returns the value and a gradient function
// giving one gradient per input. Intermediates of the forward are freed; only what `save` keeps lives on.
// gradientsByRecomputing: inside such a gradient function, the gradients of a recomputed part of the
// forward (a checkpointed layer) by tf.grads.

import * as tf from "@tensorflow/tfjs";

export type CustomForward = (
  inputs: tf.Tensor[],
  save: tf.GradSaveFunc,
) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] };

export function customGradient(forward: CustomForward): (...inputs: tf.Tensor[]) => tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    return forward(args as tf.Tensor[], save);
  });
  return (...inputs) => op(...inputs);
}

/** engine.state.activeTape: a gradient computed inside a backward pass replaces it (tfjs quirk). */
interface EngineWithTape {
  state: { activeTape: unknown };
}

/** tf.grads of `recompute` at `inputs` with upstream `dy`, from inside a gradient function (the outer tape restored after). */
export function gradientsByRecomputing(recompute: (...inputs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], dy: tf.Tensor): tf.Tensor[] {
  const engine = tf.engine() as unknown as EngineWithTape;
  const outerTape = engine.state.activeTape;
  try {
    return tf.grads(recompute)(inputs, dy);
  } finally {
    engine.state.activeTape = outerTape;
  }
}
