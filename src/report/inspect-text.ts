import type { InspectReport } from './inspect-report.js';

/** `critic-doctor inspect`'s text: what the file is, its tensors, the layers it shows, the config to run it. */
export function renderInspectText(r: InspectReport): string {
  const lines = [
    `${r.file}: ${r.format}${r.writer ? ` (${r.writer})` : ''}, ${r.tensors.length} tensors`,
    ...r.tensors.map((t) => `  ${t.name}  [${t.shape.join(', ')}]  ${t.dtype}`),
    '',
    r.layers.length ? 'Layers' : 'No layers recognised by name',
    ...r.layers.map((l) => `  ${l.name}: ${l.inputs} → ${l.units}`),
    ...criticLines(r.critic),
    ...(r.optimizer ? ['', `Optimizer state: ${r.optimizer}`] : []),
    ...(r.config.length ? ['', 'To run it (a config starts so):', ...r.config.map((c) => `  ${c}`)] : []),
  ];
  return `${lines.join('\n')}\n`;
}

function criticLines(c: InspectReport['critic']): string[] {
  if (!c) return [];
  if ('refused' in c) return ['', `Not a critic critic-doctor trains: ${c.refused}`];
  return ['', `As critic-doctor trains it${c.actionAt ? ` (the action joins at ${c.actionAt})` : ''}:`, `  ${c.layers.join(' → ')}`];
}
