import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatUsd } from './format.js';

export interface LineData {
  xs: number[];
  xRange: [number, number];
  series: { label: string; colour: string; values: (number | null)[] }[];
}

export function drawLines(target: HTMLElement, data: LineData): void {
  const width = Math.max(320, Math.min(720, target.clientWidth || 560));
  new uPlot(
    {
      width,
      height: 240,
      series: [
        { label: 'Hour (UTC)' },
        ...data.series.map((s) => ({
          label: s.label,
          stroke: s.colour,
          width: 2,
          points: { show: true, size: 6 },
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : formatUsd(v)),
        })),
      ],
      axes: [{}, { size: 80, values: (_u: uPlot, ticks: number[]) => ticks.map((t) => formatUsd(t)) }],
      scales: { x: { time: true, range: () => data.xRange } },
      tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    },
    [data.xs, ...data.series.map((s) => s.values)],
    target,
  );
}
