// The verify group of the benchmark (issue 15 point 8): `compose-persist verify` of
// samples/stack.persist.yaml (4 services) on the engine, as a ratio to one bare
// `<compose> up --no-start` + `down` of the same output. Both run on the same override
// (every service on busybox:latest, which verify's helper needs anyway), so that no image
// is pulled; runs are interleaved (bare, verify, bare, verify, ...), the median is reported.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const time = (cmd, args, opts) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600000, ...opts });
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, code: r.status ?? 128, stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function findCompose() {
  for (const cmd of [['docker', 'compose'], ['docker-compose']]) {
    const r = spawnSync(cmd[0], [...cmd.slice(1), 'version', '--short'], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return { cmd, version: r.stdout.trim() };
  }
  return undefined;
}

/** { skipped } when there is no engine; else medians, samples and the ratio. */
export function benchVerify({ cli, root, runs = 5, node = process.execPath }) {
  const info = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' });
  if (info.status !== 0) return { skipped: 'no Docker engine reachable' };
  const compose = findCompose();
  if (!compose) return { skipped: 'no Compose found' };
  if (spawnSync('docker', ['image', 'inspect', 'busybox:latest'], { encoding: 'utf8' }).status !== 0) return { skipped: 'image busybox:latest is missing' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-bench-verify-'));
  try {
    fs.copyFileSync(path.join(root, 'samples', 'stack.persist.yaml'), path.join(dir, 'stack.persist.yaml'));
    fs.mkdirSync(path.join(dir, 'secrets'));
    fs.writeFileSync(path.join(dir, 'secrets', 'files.key'), 'k\n');
    fs.writeFileSync(path.join(dir, 'override.yaml'), 'services:\n' + ['db', 'cache', 'web', 'files'].map((s) => `  ${s}: {image: "busybox:latest"}\n`).join(''));
    const b = time(node, [cli, 'build', '-f', 'stack.persist.yaml', '-f', 'override.yaml', '-o', 'stack.compose.yml'], { cwd: dir });
    if (b.code !== 0) return { error: `build failed: ${b.stderr.trim().split('\n').pop()}` };
    const env = { ...process.env, DB_PASSWORD: 'bench' };
    const project = `cpbench${process.pid}`;
    const c = (args) => time(compose.cmd[0], [...compose.cmd.slice(1), '-p', project, '-f', 'stack.compose.yml', ...args], { cwd: dir, env });
    const bare = () => {
      const up = c(['up', '--no-start']);
      const down = c(['down']);
      if (up.code !== 0 || down.code !== 0) throw new Error(`bare ${compose.cmd.join(' ')}: ${(up.code ? up : down).stderr.trim().split('\n').pop()}`);
      return up.ms + down.ms;
    };
    const verify = () => {
      const r = time(node, [cli, 'verify', '-q', '--compose', compose.cmd.join(' '), '-f', 'stack.persist.yaml', '-f', 'override.yaml'], { cwd: dir });
      if (r.code !== 0) throw new Error(`verify exited ${r.code}: ${r.stderr.trim().split('\n').pop()}`);
      return r.ms;
    };
    const samples = { bare: [], verify: [] };
    try {
      // warm-up (not counted): both, once
      bare();
      verify();
      for (let i = 0; i < runs; i++) {
        samples.bare.push(bare());
        samples.verify.push(verify());
      }
    } catch (e) {
      return { error: e.message, samples };
    } finally {
      c(['down', '-v']);
    }
    const bareMs = median(samples.bare);
    const verifyMs = median(samples.verify);
    return { compose: `${compose.cmd.join(' ')} ${compose.version}`, runs, bareMs, verifyMs, ratio: Math.round((verifyMs / bareMs) * 1000) / 1000, samples };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
