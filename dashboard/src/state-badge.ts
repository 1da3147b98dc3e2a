import type { HealthState } from '../../sdk/src/index.js';
import { h } from './dom.js';
import { STATE_COLOURS, stateLabel } from './health-display.js';

/** A state as marker + text + colour: never colour alone. */
export function stateBadge(state: HealthState): HTMLElement {
  const c = STATE_COLOURS[state];
  return h(
    'span',
    { class: 'badge', 'data-state': state, style: `background:${c.background};color:${c.text}` },
    h('span', { 'aria-hidden': 'true' }, c.marker),
    ' ',
    stateLabel(state),
  );
}

const SEVERITY_COLOURS: Record<string, { background: string; text: string; marker: string }> = {
  INFO: { background: '#1f5fa8', text: '#ffffff', marker: 'ℹ' },
  WARNING: { background: '#f2c230', text: '#1f1a00', marker: '▲' },
  CRITICAL: { background: '#c62828', text: '#ffffff', marker: '◆' },
};

export function severityBadge(severity: 'INFO' | 'WARNING' | 'CRITICAL'): HTMLElement {
  const c = SEVERITY_COLOURS[severity];
  return h(
    'span',
    { class: 'badge', 'data-severity': severity, style: `background:${c.background};color:${c.text}` },
    h('span', { 'aria-hidden': 'true' }, c.marker),
    ' ',
    severity,
  );
}
