import type { LintFinding } from '../diagnose/lint.js';
import { plainPalette, type Palette } from './palette.js';

/** `critic-doctor lint`'s output: each finding at its config line, why it matters and the remedy to test. */
export function renderLintText(file: string, findings: readonly LintFinding[], p: Palette = plainPalette): string {
  if (findings.length === 0) return `${p.success('✔')} ${file}: nothing to report\n`;
  return findings
    .map((f) => {
      const mark = f.severity === 'warning' ? p.warn('warning') : p.info('info');
      return (
        `${file}${f.line !== undefined ? `:${f.line}` : ''}: ${mark} ${f.message} [${f.rule}]\n` +
        `  ${p.dim(f.why)}\n  ${p.dim(`remedy to test: ${f.remedy} (critic-doctor treat)`)}\n`
      );
    })
    .join('');
}
