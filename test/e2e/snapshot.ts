// What an engine holds, before and after the suite: the suite must leave it as it found
// it. The diff is pure (unit-tested in test/unit/e2e-snapshot.test.ts); taking a snapshot
// asks the engine the client talks to.
import { docker, type RunResult } from './lib.js';

/** Each kind: a sorted list of one-line descriptions. */
export interface EngineSnapshot {
  containers: string[];
  volumes: string[];
  networks: string[];
  images: string[];
  /** Swarm.LocalNodeState, e.g. `inactive` or `active` */
  swarm: string[];
  /** volume drivers the engine knows (legacy plugins stay here once looked up), and managed plugins */
  plugins: string[];
}

export const KINDS: readonly (keyof EngineSnapshot)[] = ['containers', 'volumes', 'networks', 'images', 'swarm', 'plugins'];

/** What differs, one line each (`+ volumes: x` appeared, `- networks: y` is gone); [] when equal. */
export function diffSnapshots(
  before: EngineSnapshot,
  after: EngineSnapshot,
  ignore: (kind: keyof EngineSnapshot, item: string) => boolean = () => false,
): string[] {
  const out: string[] = [];
  for (const kind of KINDS) {
    const b = new Set(before[kind]);
    const a = new Set(after[kind]);
    for (const x of after[kind]) if (!b.has(x) && !ignore(kind, x)) out.push(`+ ${kind}: ${x}`);
    for (const x of before[kind]) if (!a.has(x) && !ignore(kind, x)) out.push(`- ${kind}: ${x}`);
  }
  return out;
}

/**
 * Objects of other runs of this suite (prefix `cpe2e` + a run id that is not ours), which a
 * concurrent run on the same engine makes and removes, plus whatever `extra` (the regex in
 * CP_E2E_SNAPSHOT_IGNORE, for an engine other people use at the same time) matches.
 */
export function otherRuns(prefix: string, extra?: string): (kind: keyof EngineSnapshot, item: string) => boolean {
  const re = extra ? new RegExp(extra) : undefined;
  return (_kind, item) => {
    if (re?.test(item)) return true;
    const runs = item.match(/cpe2e[a-z0-9]{6}/g) ?? [];
    return runs.length > 0 && runs.every((r) => r !== prefix);
  };
}

const lines = (r: RunResult, what: string): string[] => {
  if (r.code !== 0) throw new Error(`engine snapshot: ${what} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean).sort();
};

export function takeSnapshot(): EngineSnapshot {
  const info = (f: string) => lines(docker(['info', '--format', f]), `docker info ${f}`);
  const volumeDrivers: string[] = JSON.parse(info('{{json .Plugins.Volume}}')[0] ?? '[]') ?? [];
  return {
    containers: lines(docker(['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Names}}']), 'docker ps'),
    volumes: lines(docker(['volume', 'ls', '--format', '{{.Driver}} {{.Name}}']), 'docker volume ls'),
    networks: lines(docker(['network', 'ls', '--no-trunc', '--format', '{{.ID}} {{.Name}} {{.Driver}}']), 'docker network ls'),
    images: lines(docker(['image', 'ls', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']), 'docker image ls'),
    swarm: info('{{.Swarm.LocalNodeState}}'),
    plugins: [
      ...volumeDrivers.map((d) => `volume driver ${d}`),
      ...lines(docker(['plugin', 'ls', '--no-trunc', '--format', '{{.Name}} enabled={{.Enabled}}']), 'docker plugin ls').map((p) => `plugin ${p}`),
    ].sort(),
  };
}
