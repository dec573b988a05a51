import type { ComponentChildren } from 'preact';
import { severityName, stateName } from '../format';

export const STATES = ['new', 'acknowledged', 'in_progress', 'suppressed', 'resolved', 'expired', 'archived'];
export const LEVELS = ['info', 'low', 'medium', 'high', 'critical'];

export function Severity(props: { value: string }) {
  const s = severityName(props.value);
  return <span class={`sev sev-${s}`}>{s}</span>;
}
export function State(props: { value: string }) {
  const s = stateName(props.value);
  return <span class={`state state-${s}`}>{s.replace('_', ' ')}</span>;
}
export function Notice(props: { children: ComponentChildren; kind?: 'error' | 'info' }) {
  return (
    <p class={`notice ${props.kind ?? 'info'}`} role={props.kind === 'error' ? 'alert' : undefined}>
      {props.children}
    </p>
  );
}
/** What scoring does not serve yet is said so, never filled with invented numbers. */
export function NotAvailable(props: { what: string }) {
  return <p class="notice na">{props.what}: not available yet.</p>;
}
