/**
 * A layer's name in critic `head` of `heads`: the config's own for a lone critic; with several,
 * SB3's names (`critic.qf0.0`) say `qf<head>` where the config says `qf0`, others are prefixed
 * (`fc1` → `qf0.fc1`, `qf1.fc1`).
 */
export function headLayerName(name: string, head: number, heads: number): string {
  if (heads === 1) return name;
  return /(^|\.)qf0(\.|$)/.test(name) ? name.replace(/(^|\.)qf0(\.|$)/, `$1qf${head}$2`) : `qf${head}.${name}`;
}
