import type { InspectReport } from './inspect-report.js';

/** `critic-doctor inspect`'s text: what the file is, its tensors, the layers it shows, the config to run it. */
export function renderInspectText(r: InspectReport): string {
  const lines = [
    `${r.file}: ${r.format}${r.writer ? ` (${r.writer})` : ''}, ${r.tensors.length} tensors`,
    ...r.tensors.map((t) => `  ${t.name}  [${t.shape.join(', ')}]  ${t.dtype}`),
    '',
    r.layers.length ? 'Layers' : 'No layers recognised by name',
    ...r.layers.map((l) => `  ${l.name}: ${l.inputs} → ${l.units}`),
    ...(r.optimizer ? ['', `Optimizer state: ${r.optimizer}`] : []),
    '',
    'To run it (a config starts so):',
    ...r.config.map((c) => `  ${c}`),
  ];
  return `${lines.join('\n')}\n`;
}
