/** explain: what each service gets and what it survives, as a table or JSON. */
import { levelRank, type Level, type Plan, type ServicePlan } from './model.js';
import type { AnyPattern } from './patterns/index.js';
import { oneLine } from './diagnostics.js';

export interface ExplainMountRow {
  target: string;
  /** The mount's pattern (listed services) or its kind (a service's own mount: bind, named volume, ...). */
  pattern: string;
  level: string;
  survivesUpgrade: boolean;
  survivesHostFailure: boolean;
  survivesDownV: boolean;
  what: string;
}

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
  /** A row per mount, where they differ from the service's row (own mounts, or a pattern per mount). */
  mounts?: ExplainMountRow[];
}

/** Patterns whose data lives outside the engine's volume store. */
const OUTSIDE_VOLUME_STORE = new Set(['bind', 'shared']);
/** Own mounts whose data `down -v` leaves: host directories, shares, external volumes. */
const OWN_OUTSIDE_VOLUME_STORE = new Set(['bind', 'nfs', 'cifs', 'hostpath', 'external']);

/** The columns follow from the level alone, so a row never says `none` and `yes` at once. */
const survives = (level: Level): Pick<ExplainRow, 'survivesUpgrade' | 'survivesHostFailure'> => ({
  survivesUpgrade: levelRank(level) >= levelRank('container'),
  survivesHostFailure: level === 'host',
});

export function explainRows(plan: Plan): ExplainRow[] {
  const unlisted = (plan.unlisted ?? []).map((u): ExplainRow => ({
    service: u.service,
    pattern: '-',
    level: u.level,
    ...survives(u.level),
    survivesDownV: Boolean(u.mounts?.length) && u.mounts!.every((m) => OWN_OUTSIDE_VOLUME_STORE.has(m.kind)) && u.level !== 'none',
    generated: [u.note],
    ...(u.mounts?.length ? { mounts: u.mounts.map((m) => ({ target: m.target, pattern: m.kind, level: m.level, ...survives(m.level), survivesDownV: OWN_OUTSIDE_VOLUME_STORE.has(m.kind), what: m.note })) } : {}),
  }));
  return [...byService(plan.services).map((parts): ExplainRow => (parts.length === 1 ? serviceRow(parts[0]!) : mixedRow(parts))), ...unlisted];
}

const downV = (s: ServicePlan): boolean => OUTSIDE_VOLUME_STORE.has(s.pattern) || (s.volumes.length > 0 && s.volumes.every((v) => v.external !== undefined));

function serviceRow(s: ServicePlan): ExplainRow {
  return {
    service: s.service,
    pattern: s.pattern,
    level: s.level,
    ...survives(s.level),
    survivesDownV: downV(s),
    generated: s.generated.length ? s.generated : [s.reason ? `nothing (${s.reason})` : 'nothing'],
  };
}

/** A service with a pattern per mount: its level is its weakest mount's, and each mount has its row. */
function mixedRow(parts: readonly ServicePlan[]): ExplainRow {
  const level = parts.reduce<Level>((l, p) => (levelRank(p.level) < levelRank(l) ? p.level : l), 'host');
  const mounts = parts.flatMap((p): ExplainMountRow[] => [
    ...p.volumes.map((v) => ({ target: v.target, what: `volume ${v.name}${v.driver ? ` (driver ${v.driver.driver}${v.driver.driverOpts.type ? `, ${v.driver.driverOpts.type}` : ''})` : ''}${v.external ? ', kept' : ''}`, downV: OUTSIDE_VOLUME_STORE.has(p.pattern) || v.external !== undefined })),
    ...p.binds.map((b) => ({ target: b.target, what: `bind ${b.source}${p.init ? ` (owner ${p.init.owner})` : ''}`, downV: true })),
    ...(p.scratch ?? []).map((t) => ({ target: t, what: 'nothing (pattern none)', downV: false })),
  ].map((m) => ({ target: m.target, pattern: p.pattern, level: p.level, ...survives(p.level), survivesDownV: m.downV, what: m.what })));
  return {
    service: parts[0]!.service,
    pattern: parts.map((p) => p.pattern).join('+'),
    level,
    ...survives(level),
    survivesDownV: parts.every(downV),
    generated: parts.flatMap((p) => p.generated),
    mounts,
  };
}

/** Plans in order, the parts of one service together. */
function byService(plans: readonly ServicePlan[]): ServicePlan[][] {
  const out = new Map<string, ServicePlan[]>();
  for (const p of plans) out.set(p.service, [...(out.get(p.service) ?? []), p]);
  return [...out.values()];
}

const yesNo = (b: boolean): string => (b ? 'yes' : 'NO');

export function renderTable(header: readonly string[], cells: readonly (readonly string[])[]): string {
  // Cells hold names, images and reasons from the file: no control character reaches the terminal.
  const rows = cells.map((r) => r.map(oneLine));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * For a file without a block (validate's ok line): how many mounts the services' own volumes:
 * hold and which of them are at level none; '' when there are none.
 */
export function ownMountsSummary(plan: Plan | undefined): string {
  const rows = plan?.unlisted ?? [];
  const mounts = rows.reduce((n, r) => n + (r.mounts?.length ?? 0), 0);
  if (!mounts) return '';
  const weak = rows.flatMap((r) => (r.mounts ?? []).filter((m) => m.level === 'none').map((m) => `${r.service}:${m.target}`));
  return `; ${mounts} mount(s) of the services' own${weak.length ? `, of which ${weak.length} at level none (${weak.slice(0, 5).join(', ')}${weak.length > 5 ? ', ...' : ''})` : ''}: compose-persist explain lists them`;
}

export function explainTable(plan: Plan): string {
  const rows = explainRows(plan).flatMap((r) => [
    ...r.generated.map((g, i) =>
      i === 0 ? [r.service, r.pattern, r.level, yesNo(r.survivesUpgrade), yesNo(r.survivesHostFailure), g] : ['', '', '', '', '', g],
    ),
    // A row per mount, under its service: the service's level is its weakest mount's.
    ...(r.mounts ?? []).map((m) => [`  ${m.target}`, m.pattern, m.level, yesNo(m.survivesUpgrade), yesNo(m.survivesHostFailure), m.what]),
  ]);
  return renderTable(['SERVICE', 'PATTERN', 'LEVEL', 'UPGRADE', 'HOST LOSS', 'GENERATED'], rows);
}

export function patternsTable(patterns: Iterable<AnyPattern>): string {
  const rows = [...patterns].map((p) => [p.name, p.level === 'backend' ? 'host*' : p.level, p.seedName, p.summary]);
  return `${renderTable(['PATTERN', 'LEVEL', 'SEED NAME', 'WHAT IT GENERATES'], rows)}\n\n* plugin: host unless the back-end declares level: container.`;
}
