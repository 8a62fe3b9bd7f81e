// Plain-text rendering for terminals: a metrics dictionary as an aligned two-column table; byte counts.

export function formatMetrics(metrics: Record<string, number>, title?: string): string {
  const entries = Object.entries(metrics);
  const width = Math.max(6, ...entries.map(([key]) => key.length));
  const lines = entries.map(([key, value]) => `  ${key.padEnd(width)}  ${Number.isInteger(value) ? value : value.toFixed(4)}`);
  return [...(title ? [title] : []), ...lines].join("\n");
}

/** "968 kB", "43.9 MB", "1.2 GB" (decimal units, as download sizes are given). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.max(bytes > 0 ? 1 : 0, Math.round(bytes / 1e3))} kB`;
}
