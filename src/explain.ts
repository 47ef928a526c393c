/** explain: what each service gets and what it survives, as a table or JSON. */
import { levelRank, type Plan } from './model.js';
import type { PatternDef } from './plan/patterns.js';
import { oneLine } from './diagnostics.js';

export interface ExplainRow {
  service: string;
  pattern: string;
  level: string;
  survivesUpgrade: boolean;
  survivesHostFailure: boolean;
  /**
   * Whether `docker compose down -v` leaves the data: binds and shared storage keep it
   * (the volume object is only a pointer to the share), kept volumes are never removed.
   */
  survivesDownV: boolean;
  generated: string[];
}

/** Patterns whose data lives outside the engine's volume store. */
const OUTSIDE_VOLUME_STORE = new Set(['bind', 'shared']);

export function explainRows(plan: Plan): ExplainRow[] {
  const unlisted = (plan.unlisted ?? []).map((u) => ({
    service: u.service,
    pattern: '-',
    level: u.level,
    survivesUpgrade: u.anonymous || levelRank(u.level) >= levelRank('container'),
    survivesHostFailure: false,
    survivesDownV: false,
    generated: [u.note],
  }));
  return [...plan.services.map((s) => ({
    service: s.service,
    pattern: s.pattern,
    level: s.level,
    survivesUpgrade: levelRank(s.level) >= levelRank('container'),
    survivesHostFailure: s.level === 'host',
    survivesDownV: OUTSIDE_VOLUME_STORE.has(s.pattern) || (s.volumes.length > 0 && s.volumes.every((v) => v.external !== undefined)),
    generated: s.generated.length ? s.generated : [s.reason ? `nothing (${s.reason})` : 'nothing'],
  })), ...unlisted];
}

const yesNo = (b: boolean): string => (b ? 'yes' : 'NO');

export function renderTable(header: readonly string[], cells: readonly (readonly string[])[]): string {
  // Cells hold names, images and reasons from the file: no control character reaches the terminal.
  const rows = cells.map((r) => r.map(oneLine));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function explainTable(plan: Plan): string {
  const rows = explainRows(plan).flatMap((r) =>
    r.generated.map((g, i) =>
      i === 0 ? [r.service, r.pattern, r.level, yesNo(r.survivesUpgrade), yesNo(r.survivesHostFailure), g] : ['', '', '', '', '', g],
    ),
  );
  return renderTable(['SERVICE', 'PATTERN', 'LEVEL', 'UPGRADE', 'HOST LOSS', 'GENERATED'], rows);
}

export function patternsTable(patterns: Iterable<PatternDef>): string {
  const rows = [...patterns].map((p) => [p.name, p.level === 'backend' ? 'host*' : p.level, p.seedName, p.summary]);
  return `${renderTable(['PATTERN', 'LEVEL', 'SEED NAME', 'WHAT IT GENERATES'], rows)}\n\n* plugin: host unless the back-end declares level: container.`;
}
