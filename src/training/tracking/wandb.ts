// reportTo "wandb" is refused in one line, before training: Weights & Biases' JavaScript SDK cannot log a
// run offline. Measured with @wandb/sdk 0.5.1 (the newest on npm) and its source: WANDB_MODE=offline only
// stops it sending history — it writes no run folder (no wandb/offline-run-*/run-*.wandb for `wandb sync`;
// that LevelDB-log-framed protobuf stream is written by the Python SDK's own service), while wandb.init
// still asks api.wandb.ai for the default entity ("Unable to determine default entity" without network)
// and refuses to start without WANDB_API_KEY. W&B imports TensorBoard event files instead.

import { ArgumentError } from "../../errors.ts";

export function wandbUnsupported(argument: string): ArgumentError {
  return new ArgumentError(
    argument,
    '"wandb" is not supported: the JavaScript W&B SDK (@wandb/sdk 0.5.1) cannot log offline (WANDB_MODE=offline writes no run folder and it still needs api.wandb.ai and an API key); ' +
      'use "tensorboard" and upload the run with Python\'s `wandb sync <loggingDir>`, or "csv"',
  );
}
