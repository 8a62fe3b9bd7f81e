// Metric keys without their evaluator's name: an evaluator prefixes every key with `<name>_`
// ("sts-dev_spearman_cosine"), so the prefix all of a dictionary's keys share, cut back to its last "_",
// is dropped ("spearman_cosine"). A single key, or keys that share no such prefix, are kept as they are.

export function shortMetricNames(keys: readonly string[]): string[] {
  if (keys.length < 2) return [...keys];
  let prefix = keys[0];
  for (const key of keys) {
    while (!key.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  const cut = prefix.lastIndexOf("_") + 1;
  return keys.map((key) => key.slice(cut));
}
