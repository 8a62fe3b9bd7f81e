// Plain-text rendering for terminals: a metrics dictionary as an aligned two-column table.

export function formatMetrics(metrics: Record<string, number>, title?: string): string {
  const entries = Object.entries(metrics);
  const width = Math.max(6, ...entries.map(([key]) => key.length));
  const lines = entries.map(([key, value]) => `  ${key.padEnd(width)}  ${Number.isInteger(value) ? value : value.toFixed(4)}`);
  return [...(title ? [title] : []), ...lines].join("\n");
}
