// A typed front to tf.customGrad: `forward(inputs, save)` returns the value and a gradient function
// giving one gradient per input. Intermediates of the forward are freed; only what `save` keeps lives on.

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
