// The live view of a training run under the input: progress bar with step/total, ETA and current
// loss; the loss chart; the latest evaluation's metrics; what Ctrl-C does. Redrawn in place as
// steps arrive (the app throttles the snapshots).

import { Box, Text } from "ink";
import { renderTrainingProgress } from "./render/training.ts";
import type { TrainingSnapshot } from "./training-monitor.ts";

export function TrainingView({ run, width }: { run: TrainingSnapshot; width: number }) {
  const [progress, ...rest] = renderTrainingProgress(run, width);
  const status = rest.pop();
  return (
    <Box flexDirection="column">
      <Text color="green">{progress}</Text>
      {rest.map((line, index) => (
        <Text key={index}>{line}</Text>
      ))}
      <Text dimColor>{status}</Text>
    </Box>
  );
}
