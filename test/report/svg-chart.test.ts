import { describe, expect, it } from 'vitest';
import { renderChart } from '../../src/report/svg-chart.js';

describe('HTML charts', () => {
  const chart = renderChart({
    title: 'gradient norm',
    series: [{ name: 'l3', color: '#00f', points: Array.from({ length: 100 }, (_, x) => ({ x, y: x === 99 ? NaN : 1 + x })) }],
    markers: [
      { x: 2, label: 'explosion', color: '#f80' },
      { x: 98, label: 'first Inf', color: '#c00' },
      { x: 99, label: 'first NaN', color: '#800' },
    ],
  });
  const W = 560;
  const PLOT = { l: 58, r: W - 12 };

  it('label the x axis "step"', () => {
    expect(chart).toMatch(/class="axis-label"[^>]*>step<\/text>/);
  });

  it('keep event labels inside the plot, each on its own row', () => {
    const labels = [...chart.matchAll(/<text x="([\d.]+)" y="([\d.]+)"[^>]*class="marker-label" text-anchor="(start|end)">([^<]+)</g)];
    expect(labels.map((m) => m[4])).toEqual(['explosion', 'first Inf', 'first NaN']);
    for (const [, x, , anchor, text] of labels) {
      // ~6 px per character at 10-11 px font: the label's far end must stay inside the plot.
      const far = anchor === 'start' ? Number(x) + 6 * text!.length : Number(x) - 6 * text!.length;
      expect(far, text).toBeGreaterThanOrEqual(PLOT.l);
      expect(far, text).toBeLessThanOrEqual(PLOT.r);
    }
    expect(new Set(labels.map((m) => m[2])).size).toBe(3);
  });
});
