// Learning-rate schedules as Hugging Face's get_scheduler: a factor of the base rate for optimizer
// step t (0-based; the first step uses t = 0, so with warmup it runs at factor 0):
//   linear:               t/w during warmup, then max(0, (T − t)/max(1, T − w))
//   cosine:               t/w, then max(0, ½(1 + cos(π·(t − w)/max(1, T − w))))
//   constant_with_warmup: t/w, then 1;   constant: 1
// Warmup steps = warmupSteps if > 0, else ceil(T · warmupRatio).

export const LR_SCHEDULER_TYPES = ["linear", "cosine", "constant", "constant_with_warmup"] as const;
export type LrSchedulerType = (typeof LR_SCHEDULER_TYPES)[number];

export function warmupStepCount(totalSteps: number, warmupSteps: number, warmupRatio: number): number {
  return warmupSteps > 0 ? warmupSteps : Math.ceil(totalSteps * warmupRatio);
}

export function learningRateFactor(type: LrSchedulerType, step: number, warmup: number, total: number): number {
  if (type === "constant") return 1;
  if (step < warmup) return step / Math.max(1, warmup);
  const progress = (step - warmup) / Math.max(1, total - warmup);
  switch (type) {
    case "linear":
      return Math.max(0, (total - step) / Math.max(1, total - warmup));
    case "cosine":
      return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
    case "constant_with_warmup":
      return 1;
  }
}
