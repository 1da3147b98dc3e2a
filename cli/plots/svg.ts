/**
 * Hand-written SVG for the CLI's plots: no browser, no dependency. Every number goes through fmt() and every
 * text through escapeXml(), attributes are written in the order given and nothing reads the clock or the
 * locale, so the same figure is always the same bytes.
 */

export type Attrs = Record<string, string | number | undefined>;

/** Plot area inside the figure, in SVG user units (pixels). */
export interface Frame {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Tick {
  value: number;
  label: string;
}

export type Scale = (value: number) => number;

// XML 1.0 allows tab, LF, CR and everything from U+0020 except lone surrogates, U+FFFE and U+FFFF.
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** Text or attribute value as XML: the five special characters as entities, characters XML forbids dropped. */
export function escapeXml(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (!isXmlChar(code)) continue;
    switch (ch) {
      case '&':
        out += '&amp;';
        break;
      case '<':
        out += '&lt;';
        break;
      case '>':
        out += '&gt;';
        break;
      case '"':
        out += '&quot;';
        break;
      case "'":
        out += '&apos;';
        break;
      default:
        out += ch;
    }
  }
  return out;
}

/** Fixed-point number without trailing zeros or a negative zero: 12.50 → '12.5', -0.001 → '0'. */
export function fmt(x: number, digits = 2): string {
  if (!Number.isFinite(x)) throw new Error(`cannot write ${x} into an SVG`);
  let s = x.toFixed(digits);
  if (s.includes('.') && !s.includes('e')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

function attrs(a: Attrs): string {
  let out = '';
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined) continue;
    out += ` ${k}="${typeof v === 'number' ? fmt(v) : escapeXml(v)}"`;
  }
  return out;
}

/** One element; children are already-written markup (use text() for character data). */
export function el(name: string, a: Attrs = {}, children: string | string[] = []): string {
  const inner = Array.isArray(children) ? children.join('\n') : children;
  if (inner === '') return `<${name}${attrs(a)}/>`;
  return Array.isArray(children)
    ? `<${name}${attrs(a)}>\n${inner}\n</${name}>`
    : `<${name}${attrs(a)}>${inner}</${name}>`;
}

/** A `<text>` element holding `content`, escaped. */
export function text(content: string, a: Attrs = {}): string {
  return el('text', a, escapeXml(content));
}

export function line(x1: number, y1: number, x2: number, y2: number, a: Attrs = {}): string {
  return el('line', { x1, y1, x2, y2, ...a });
}

export function rect(x: number, y: number, width: number, height: number, a: Attrs = {}): string {
  return el('rect', { x, y, width, height, ...a });
}

export function polyline(points: [number, number][], a: Attrs = {}): string {
  return el('polyline', {
    points: points.map(([x, y]) => `${fmt(x)},${fmt(y)}`).join(' '),
    fill: 'none',
    ...a,
  });
}

/** A round marker; `tooltip` becomes its `<title>` (shown on hover, read by screen readers). */
export function circle(cx: number, cy: number, r: number, a: Attrs = {}, tooltip?: string): string {
  return el('circle', { cx, cy, r, ...a }, tooltip === undefined ? '' : el('title', {}, escapeXml(tooltip)));
}

/** Maps [d0, d1] onto [r0, r1]; a degenerate domain maps everything to the middle of the range. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): Scale {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

export interface NiceRange {
  min: number;
  max: number;
  step: number;
  ticks: number[];
}

/**
 * Round tick values covering [min, max]: a step of 1, 2, 2.5 or 5 × 10^k giving at most `maxTicks` intervals,
 * the range widened to whole steps. `integer` keeps steps whole (counts).
 */
export function niceTicks(min: number, max: number, maxTicks = 8, integer = false): NiceRange {
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new Error(`cannot scale [${min}, ${max}]`);
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, maxTicks);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const factors = integer ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10];
  let step = mag * (factors.find((f) => f * mag >= raw * (1 - 1e-12)) ?? 10);
  if (integer) step = Math.max(1, Math.round(step));
  const lo = Math.floor(min / step + 1e-9);
  const hi = Math.ceil(max / step - 1e-9);
  // Decimals of the step, so 0.1 + 0.2 is written 0.3.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  const ticks: number[] = [];
  for (let i = lo; i <= hi; i++) ticks.push(Number((i * step).toFixed(decimals)) + 0);
  return { min: ticks[0], max: ticks[ticks.length - 1], step, ticks };
}

const MS_PER_DAY = 86_400_000;

function isoOfDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/**
 * Calendar ticks between two day numbers (days since 1970-01-01): first days of months every 1, 2, 3, 6, 12,
 * 24, 60 months, the finest with at most `maxTicks`; spans too short for 3 month ticks get day ticks.
 */
export function dateTicks(firstDay: number, lastDay: number, maxTicks = 12): Tick[] {
  const start = new Date(firstDay * MS_PER_DAY);
  const end = new Date(lastDay * MS_PER_DAY);
  const m0 = start.getUTCFullYear() * 12 + start.getUTCMonth();
  const m1 = end.getUTCFullYear() * 12 + end.getUTCMonth();
  const monthTicks = (step: number): Tick[] => {
    const out: Tick[] = [];
    for (let m = Math.ceil(m0 / step) * step; m <= m1; m += step) {
      const day = Date.UTC(Math.floor(m / 12), m % 12, 1) / MS_PER_DAY;
      if (day < firstDay || day > lastDay) continue;
      const iso = isoOfDay(day);
      out.push({ value: day, label: step >= 12 ? iso.slice(0, 4) : iso.slice(0, 7) });
    }
    return out;
  };
  if (monthTicks(1).length >= 3) {
    for (const step of [1, 2, 3, 6, 12, 24, 60, 120]) {
      const t = monthTicks(step);
      if (t.length <= maxTicks) return t;
    }
  }
  const span = lastDay - firstDay;
  const step =
    [1, 2, 3, 4, 5, 7, 14, 28].find((s) => Math.floor(span / s) + 1 <= Math.min(maxTicks, 8)) ?? 28;
  const out: Tick[] = [];
  for (let d = firstDay; d <= lastDay; d += step) out.push({ value: d, label: isoOfDay(d) });
  return out;
}

const AXIS = { stroke: '#333333', 'stroke-width': 1 };
const GRID = { stroke: '#dddddd', 'stroke-width': 1 };

/** Bottom axis: domain line, ticks with labels, the axis label (with its unit) centred underneath. */
export function xAxis(frame: Frame, scale: Scale, ticks: Tick[], label: string): string {
  const y = frame.top + frame.height;
  return el('g', { class: 'axis x-axis', 'font-size': 11, fill: '#333333' }, [
    line(frame.left, y, frame.left + frame.width, y, { class: 'domain', ...AXIS }),
    ...ticks.map((t) => {
      const x = scale(t.value);
      return el('g', { class: 'tick', 'data-value': t.value }, [
        line(x, y, x, y + 5, AXIS),
        text(t.label, { x, y: y + 18, 'text-anchor': 'middle' }),
      ]);
    }),
    text(label, {
      class: 'axis-label',
      x: frame.left + frame.width / 2,
      y: y + 40,
      'text-anchor': 'middle',
      'font-size': 12,
    }),
  ]);
}

/** Left axis with horizontal grid lines across the plot area and a rotated axis label. */
export function yAxis(frame: Frame, scale: Scale, ticks: Tick[], label: string): string {
  const x = frame.left;
  const cy = frame.top + frame.height / 2;
  return el('g', { class: 'axis y-axis', 'font-size': 11, fill: '#333333' }, [
    ...ticks.map((t) => {
      const y = scale(t.value);
      return el('g', { class: 'tick', 'data-value': t.value }, [
        line(x, y, x + frame.width, y, { class: 'grid', ...GRID }),
        line(x - 5, y, x, y, AXIS),
        text(t.label, { x: x - 8, y: y + 4, 'text-anchor': 'end' }),
      ]);
    }),
    line(x, frame.top, x, frame.top + frame.height, { class: 'domain', ...AXIS }),
    text(label, {
      class: 'axis-label',
      x: x - 80,
      y: cy,
      'text-anchor': 'middle',
      'font-size': 12,
      transform: `rotate(-90 ${fmt(x - 80)} ${fmt(cy)})`,
    }),
  ]);
}

export interface LegendItem {
  label: string;
  /** How the series is drawn: a line (optionally dashed), a filled box, or a round marker. */
  swatch: 'line' | 'box' | 'marker';
  color: string;
  dash?: string;
}

/** Legend as one row starting at (x, y): kept out of the plot area so it never hides data. */
export function legend(items: LegendItem[], x: number, y: number): string {
  let at = x;
  const out: string[] = [];
  for (const item of items) {
    const swatch =
      item.swatch === 'line'
        ? line(at, y, at + 22, y, { stroke: item.color, 'stroke-width': 2, 'stroke-dasharray': item.dash })
        : item.swatch === 'box'
          ? rect(at + 3, y - 6, 16, 12, { fill: item.color })
          : circle(at + 11, y, 4, { fill: item.color, stroke: '#000000', 'stroke-width': 0.75 });
    out.push(el('g', { class: 'legend-item' }, [swatch, text(item.label, { x: at + 28, y: y + 4 })]));
    // Text width estimated at 6.2 units a character for 11-unit sans-serif.
    at += 28 + [...item.label].length * 6.2 + 18;
  }
  return el('g', { class: 'legend', 'font-size': 11, fill: '#333333' }, out);
}

/** The figure size both plots use and their plot area, leaving room for heading, legend and axis labels. */
export const WIDTH = 960;
export const HEIGHT = 540;
export const FRAME: Frame = { left: 100, top: 84, width: WIDTH - 100 - 24, height: HEIGHT - 84 - 60 };

export interface Figure {
  width: number;
  height: number;
  /** Accessible name (`<title>`, also shown as the heading) and description (`<desc>`). */
  title: string;
  subtitle: string;
  desc: string;
  body: string[];
}

/** The standalone SVG document: XML declaration, namespace, size and viewBox, `<title>`/`<desc>` for `role="img"`. */
export function svgDocument(f: Figure): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    el(
      'svg',
      {
        xmlns: 'http://www.w3.org/2000/svg',
        width: f.width,
        height: f.height,
        viewBox: `0 0 ${fmt(f.width)} ${fmt(f.height)}`,
        role: 'img',
        'aria-labelledby': 'plot-title plot-desc',
        'font-family': 'Helvetica, Arial, sans-serif',
      },
      [
        el('title', { id: 'plot-title' }, escapeXml(f.title)),
        el('desc', { id: 'plot-desc' }, escapeXml(f.desc)),
        rect(0, 0, f.width, f.height, { fill: '#ffffff' }),
        text(f.title, {
          class: 'heading',
          x: 16,
          y: 24,
          'font-size': 15,
          'font-weight': 'bold',
          fill: '#111111',
        }),
        text(f.subtitle, { class: 'subheading', x: 16, y: 44, 'font-size': 12, fill: '#444444' }),
        ...f.body,
      ],
    ) +
    '\n'
  );
}

/** USD tick label: thousands separators, as many decimals as the step needs (ASCII minus, like the tables). */
export function usdTickLabel(value: number, step: number): string {
  const decimals = Math.min(6, (fmt(step, 6).split('.')[1] ?? '').length);
  return new Intl.NumberFormat('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  }).format(value + 0);
}
