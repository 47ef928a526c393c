/**
 * Stage 4, plan: decide per service what it gets (volumes, binds, sidecar,
 * init service), the level it ends at, and the generated names. The Plan is
 * target-aware but holds no YAML: explain prints it, render lays it out.
 */
import type { Diagnostic, StageResult } from '../diagnostics.js';
import type { Level, Plan, PlannedVolume, ResolvedService, ResolvedSpec, ServicePlan, Target } from '../model.js';
import type { ComposeView } from '../compose/view.js';
import { targetFacts } from '../compose/target-facts.js';
import { BACKEND_KINDS } from '../resolve/backends.js';
import { placementConstraints } from '../resolve/own-mounts.js';
import { patternHooks } from '../resolve/pattern-hooks.js';
import type { PatternPlan, PatternTable, PlanContext } from '../patterns/index.js';
import { checkNames, volumeUsers } from './names.js';
import { listSome } from '../strings.js';

export function plan(spec: ResolvedSpec, compose: ComposeView, patterns: PatternTable, target: Target): StageResult<Plan> {
  const diagnostics: Diagnostic[] = [];
  const services = spec.services.map((s) => planService(s, patterns, target, spec.file, diagnostics, profilesOf(compose.services[s.service]?.profiles)));
  diagnostics.push(...checkNames(services, compose, spec.file));
  if (targetFacts(target).schedulesAcrossNodes) diagnostics.push(...spec.services.flatMap((s) => nodeConflict(s, compose, spec.file)));
  // A volume several services mount says so in explain (each service's line names the others).
  const users = volumeUsers(services, compose);
  const shared = services.map((p) => {
    const lines = p.volumes.map((v) => (users.get(v.name) ?? []).filter((s) => s !== p.service)).map((others) => (others.length ? ` (shared with ${listSome(others)})` : ''));
    if (!lines.some(Boolean)) return p;
    let i = 0;
    const generated = p.generated.map((g) => (g.startsWith('volume ') && i < lines.length ? g + lines[i++] : g));
    return { ...p, generated };
  });
  services.splice(0, services.length, ...shared);
  return { value: { file: spec.file, target, services }, diagnostics };
}

/**
 * A generated sidecar or init service carries its service's profiles: without them,
 * `docker compose up` (no profile) would start it alone, and with them it starts with its service.
 */
function profilesOf(v: unknown): { profiles?: string[] } {
  return Array.isArray(v) && v.length ? { profiles: v.map(String) } : {};
}

function planService(s: ResolvedService, patterns: PatternTable, target: Target, file: string, diagnostics: Diagnostic[], profiles: { profiles?: string[] }): ServicePlan {
  const pattern = patterns.get(s.pattern)!;
  let level: Level = pattern.level === 'backend' ? (s.backend?.level ?? 'host') : pattern.level;
  const facts = targetFacts(target);
  const ctx: PlanContext = { target, facts, profiles, namedVolumes: () => namedVolumes(s) };
  // Its plan hook, given the part's back-end (resolve checked its kind); without one, a named volume per mount (none without mounts).
  const hooks = patternHooks(pattern, s.backend);
  if (!hooks) throw new Error(`internal: service ${s.service}'s part of pattern ${pattern.name} has no back-end of its kind`);
  const part: PatternPlan = hooks.plan(s, ctx) ?? (pattern.needsMounts ? ctx.namedVolumes() : { generated: [] });
  const { volumes = [], binds = [], sidecar, init, generated } = part;
  // A pattern without mounts (none) given mounts (a pattern per mount): nothing is added, and explain says so.
  const scratch = !pattern.needsMounts && s.mounts.length ? s.mounts.map((m) => m.target) : undefined;
  if (scratch) generated.push(...scratch.map((t) => `nothing at ${t}: lost when the container is recreated`));

  if (pattern.userDefined) generated.push(`user pattern ${pattern.name}: ${pattern.summary}`);
  if (facts.schedulesAcrossNodes) level = swarmLevel(s, pattern.swarm, level, file, diagnostics);
  if (facts.schedulesAcrossNodes && s.node && (pattern.swarm === 'needs-node' || pattern.swarm === 'per-node')) generated.push(`placement constraint node.hostname == ${s.node}`);

  return {
    service: s.service,
    pattern: s.pattern,
    level,
    volumes,
    binds,
    ...(sidecar ? { sidecar } : {}),
    ...(init ? { init } : {}),
    ...(s.node && facts.schedulesAcrossNodes ? { node: s.node } : {}),
    ...(s.reason ? { reason: s.reason } : {}),
    ...(s.backend ? { backend: s.backend.name } : {}),
    ...(s.params ? { params: s.params } : {}),
    ...(scratch ? { scratch } : {}),
    generated,
    path: s.path,
  };
}

/** A named volume per mount, with the driver of the service's back-end (its kind makes the spec). */
function namedVolumes(s: ResolvedService): { volumes: PlannedVolume[]; generated: string[] } {
  const volumes: PlannedVolume[] = [];
  const generated: string[] = [];
  for (const m of s.mounts) {
    const driver = s.backend ? BACKEND_KINDS[s.backend.type].driver(s.backend.input, m.subPath ?? m.name, m.options) : undefined;
    volumes.push({ name: m.name, ...(m.nameGiven ? { nameGiven: true } : {}), target: m.target, readOnly: m.readOnly, ...(driver ? { driver } : {}), ...(m.keep ? { external: m.keep } : {}) });
    generated.push(`volume ${m.name} -> ${m.target}${driver ? ` (driver ${driver.driver}${driver.driverOpts.type ? `, ${driver.driverOpts.type}` : ''})` : ''}`);
    if (m.keep) generated.push(`kept: external volume ${m.keep} (survives docker compose down -v; create it with compose-persist volumes create)`);
  }
  return { volumes, generated };
}

/** On Swarm a pattern may be refused, need a pin, or be worth less. */
function swarmLevel(s: ResolvedService, support: string, level: Level, file: string, diagnostics: Diagnostic[]): Level {
  const at = { file, path: [...s.path, 'pattern'] };
  switch (support) {
    case 'refused':
      diagnostics.push({
        ...at, code: 'SWARM_UNSUPPORTED', severity: 'error',
        message: `pattern ${s.pattern} cannot be deployed on Swarm: docker stack deploy refuses volumes_from`,
        hint: 'use pattern volume (pinned with node:) or shared for the swarm target',
      });
      return level;
    case 'needs-node':
      if (!s.node) {
        diagnostics.push({
          ...at, code: 'SWARM_NEEDS_NODE', severity: 'error',
          message: `pattern ${s.pattern} on Swarm needs node: (the hostname the service is pinned to): the bind source exists only on that node`,
          hint: 'add node: <hostname>, or use pattern shared',
        });
      }
      return level;
    case 'per-node':
      if (!s.node) {
        diagnostics.push({
          ...at, code: 'SWARM_PER_NODE', severity: 'warning',
          message: `pattern ${s.pattern} on Swarm keeps data on one node only: a task rescheduled elsewhere starts empty (level none until pinned)`,
          hint: 'add node: <hostname> to pin the service, or use pattern shared',
        });
        return 'none';
      }
      return level;
    default:
      return level;
  }
}

/**
 * node: adds `node.hostname == NODE` to the service's placement; one of its own constraints
 * naming another hostname would make the two unsatisfiable together (the task stays pending).
 */
function nodeConflict(s: ResolvedService, compose: ComposeView, file: string): Diagnostic[] {
  if (!s.node) return [];
  const others = placementConstraints(compose.services[s.service]).map((c) => /^\s*node\.hostname\s*==\s*(.+?)\s*$/.exec(c)?.[1]?.replace(/^["']|["']$/g, '')).filter((h): h is string => h !== undefined && h !== s.node);
  if (!others.length) return [];
  return [{
    code: 'SWARM_NODE_CONFLICT', severity: 'error', file, path: [...s.path, 'node'],
    message: `service "${s.service}" is pinned to node ${s.node} here and to ${others.join(', ')} by its own deploy.placement.constraints: no node satisfies both, the task would stay pending`,
    hint: `give node: ${others[0]}, or remove the constraint from the service`,
  }];
}