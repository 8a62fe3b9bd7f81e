// SIGINT and SIGTERM while a run trains: the first one calls `onFirst` (the trainer stops after its
// current step and saves a checkpoint); a second one exits the process at once with the signal's
// conventional code (130 for SIGINT, 143 for SIGTERM). The listeners exist only between catch and
// dispose(), so nothing lingers after training (and Node's default handling comes back).

export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type InterruptSignal = keyof typeof SIGNAL_EXIT_CODES;

export interface Interrupts {
  /** The first signal received, if any. */
  readonly received: InterruptSignal | undefined;
  dispose(): void;
}

export function catchInterrupts(onFirst: (signal: InterruptSignal) => void): Interrupts {
  let received: InterruptSignal | undefined;
  const listeners = (Object.keys(SIGNAL_EXIT_CODES) as InterruptSignal[]).map((signal) => {
    const listener = () => {
      if (received === undefined) {
        received = signal;
        onFirst(signal);
        return;
      }
      process.stderr.write(`embedtune: ${signal} again: exiting now, without a checkpoint of the current step (earlier checkpoints are intact)\n`);
      process.exit(SIGNAL_EXIT_CODES[signal]);
    };
    process.on(signal, listener);
    return [signal, listener] as const;
  });
  return {
    get received() {
      return received;
    },
    dispose() {
      for (const [signal, listener] of listeners) process.off(signal, listener);
    },
  };
}
