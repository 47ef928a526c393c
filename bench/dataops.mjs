// The data-operations group of `npm run bench` (BENCH_ONLY=dataops runs only it):
// backup and restore of a 200 MiB volume (many small files and one large file)
// by the CLI, each as a ratio to the bare helper container doing the same tar
// on the same volume in the same run:
//   backup   compose-persist backup -o DIR           vs  docker run --rm -v VOL:/from:ro -v DIR:/backup busybox tar -cf /backup/x.tar -C /from .
//   restore  compose-persist restore DIR (new volume) vs  docker run --rm -v NEWVOL:/to -v DIR:/backup:ro busybox tar -xf /backup/x.tar -C /to
// Both sides write to / read from the same directory, with the volume's files in
// the page cache (a warm-up run of each comes first); `sync` before every timed command and, inside the
// timing, after it (the figure is the data on disk, not in the page cache); the commands take turns run
// by run and the median is reported; the targets are on the median of each run's cp/bare ratio. The CLI's figure is the whole process: node
// start-up, the build of the file, the engine probe, the checks, the checksums.
// Every volume and directory made here is removed at the end (also on failure).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const MiB = 1024 * 1024;
const HELPER = 'busybox:latest';
const STAY = `["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]`;

function sh(file, args, opts = {}) {
  const r = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 64 * MiB, timeout: opts.timeoutMs ?? 600_000, cwd: opts.cwd, env: opts.env ?? process.env });
  return { ok: r.status === 0, code: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

function must(file, args, opts) {
  const r = sh(file, args, opts);
  if (!r.ok) throw new Error(`${[file, ...args].join(' ')} failed (${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  return r.stdout;
}

function timed(file, args, opts) {
  // Dirty pages of the previous command are written out first, not during this one; and
  // this command's own are written out before the clock stops: what is timed is the data
  // on disk. Without the final sync the first run fits in the page cache and the next
  // ones wait for earlier writeback (on vfs, 1.6 s then 7-18 s for the same bare tar -x).
  spawnSync('sync');
  const t0 = process.hrtime.bigint();
  const r = sh(file, args, opts);
  spawnSync('sync');
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!r.ok) throw new Error(`${[file, ...args].join(' ')} failed (${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Fills a volume: SMALL files of 4 KiB (in 100 directories) and one large file, 200 MiB in all. */
function fill(volume, { small, largeMiB }) {
  const script = [
    'set -e',
    'cd /d',
    `head -c ${largeMiB * MiB} /dev/urandom > large.bin`,
    // one random 4 KiB text, made distinct per file by its number; printf is a shell builtin: no fork per file
    'r=$(head -c 3066 /dev/urandom | base64 | tr -d "\\n")',
    'i=0',
    `while [ $i -lt ${small} ]; do`,
    '  d=small/$((i % 100)); [ -d $d ] || mkdir -p $d',
    '  printf "%08d%s" $i "$r" > $d/f$i',
    '  i=$((i + 1))',
    'done',
    'chown -R 1000:1000 small && chmod 0750 /d',
    'du -sk /d | cut -f1',
  ].join('\n');
  return Number(must('docker', ['run', '--rm', '--network', 'none', '-v', `${volume}:/d`, HELPER, 'sh', '-c', script]).trim()) * 1024;
}

/**
 * Runs the group; returns { results, targets } (targets as run.mjs reports them), or
 * { skipped } when no engine answers. Throws when a command fails (after cleaning up).
 */
export function runDataops({ cli, runs = 3, log = (s) => process.stderr.write(s) }) {
  if (!sh('docker', ['version', '--format', '{{.Server.Version}}']).ok) return { skipped: 'no Docker engine reachable' };
  if (!sh('docker', ['image', 'inspect', HELPER]).ok) return { skipped: `the helper image ${HELPER} is not present (docker pull ${HELPER})` };
  const project = `cpbench${process.pid}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-bench-dataops-'));
  const volume = `${project}_app-data`;
  const bareVolume = `${project}-bare-restore`;
  const small = Number(process.env.BENCH_DATAOPS_SMALL_FILES || 20000);
  const largeMiB = Number(process.env.BENCH_DATAOPS_LARGE_MIB || 120);
  try {
    fs.writeFileSync(path.join(dir, 'compose.persist.yaml'), `services:\n  app:\n    image: ${HELPER}\n    command: ${STAY}\nx-persistence:\n  services:\n    app: { pattern: volume, mounts: [/data] }\n`);
    must(process.execPath, [cli, 'build', '-o', 'docker-compose.yml'], { cwd: dir });
    // The volume as Compose would make it (no container: the backup stops nothing, as with --consistency none)
    must('docker', ['volume', 'create', '--label', `com.docker.compose.project=${project}`, '--label', 'com.docker.compose.volume=app-data', volume]);
    log(`dataops: filling ${volume} (${small} files of 4 KiB and one of ${largeMiB} MiB) ...`);
    const t0 = Date.now();
    const bytes = fill(volume, { small, largeMiB });
    log(` ${(bytes / MiB).toFixed(0)} MiB on disk in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    const bareBackup = (n) => timed('docker', ['run', '--rm', '--network', 'none', '-v', `${volume}:/from:ro`, '-v', `${dir}:/backup`, HELPER, 'tar', '-cf', `/backup/bare-${n}.tar`, '-C', '/from', '.']);
    const cpBackup = (n) => timed(process.execPath, [cli, 'backup', '-p', project, '-o', path.join(dir, `bk-${n}`), '-q'], { cwd: dir });
    // Both restores go into a volume that does not exist (as after down -v), removed before the clock starts.
    const bareRestore = (n) => {
      sh('docker', ['volume', 'rm', bareVolume]);
      return timed('docker', ['run', '--rm', '--network', 'none', '-v', `${bareVolume}:/to`, '-v', `${dir}:/backup:ro`, HELPER, 'tar', '-xf', `/backup/bare-${n}.tar`, '-C', '/to']);
    };
    const cpRestore = (n) => {
      // restore creates the volume, with the project's labels
      must('docker', ['volume', 'rm', volume]);
      return timed(process.execPath, [cli, 'restore', '-p', project, path.join(dir, `bk-${n}`), '-q'], { cwd: dir });
    };
    const samples = { bareBackup: [], cpBackup: [], bareRestore: [], cpRestore: [] };
    log(`dataops: ${runs} timed runs of 4 commands after a warm-up ...`);
    const t1 = Date.now();
    for (let n = 0; n <= runs; n++) {
      // run 0 is the warm-up; order alternates so that neither side always goes first
      const pair = n % 2 ? [['cpBackup', cpBackup], ['bareBackup', bareBackup]] : [['bareBackup', bareBackup], ['cpBackup', cpBackup]];
      for (const [k, f] of pair) {
        const ms = f(n);
        if (n) samples[k].push(ms);
      }
      const rpair = n % 2 ? [['cpRestore', cpRestore], ['bareRestore', bareRestore]] : [['bareRestore', bareRestore], ['cpRestore', cpRestore]];
      for (const [k, f] of rpair) {
        const ms = f(n);
        if (n) samples[k].push(ms);
      }
      fs.rmSync(path.join(dir, `bare-${n}.tar`), { force: true });
      fs.rmSync(path.join(dir, `bk-${n}`), { recursive: true, force: true });
    }
    log(` ${((Date.now() - t1) / 1000).toFixed(1)} s\n`);
    const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, { medianMs: Math.round(median(v)), samplesMs: v.map(Math.round) }]));
    // The ratio of each run's pair (the two commands ran back to back, under the same load and
    // disk state), then the median of those: this VM's disk speed drifts by a factor of 2 to 4
    // over a minute, which a ratio of the two medians (taken from different minutes) picks up.
    const paired = (cp, bare) => Math.round(median(samples[cp].map((ms, i) => ms / samples[bare][i])) * 1000) / 1000;
    const ratios = { backup: paired('cpBackup', 'bareBackup'), restore: paired('cpRestore', 'bareRestore') };
    const ofMedians = { backup: Math.round((m.cpBackup.medianMs / m.bareBackup.medianMs) * 1000) / 1000, restore: Math.round((m.cpRestore.medianMs / m.bareRestore.medianMs) * 1000) / 1000 };
    const thr = (ms) => `${(bytes / MiB / (ms / 1000)).toFixed(0)} MiB/s`;
    const results = { volumeBytes: bytes, smallFiles: small, largeMiB, runs, ...m, ratios, ratioOfMedians: ofMedians };
    const rows = [
      ['backup', 'bare `docker run --rm ... busybox tar -cf`', m.bareBackup.medianMs, thr(m.bareBackup.medianMs)],
      ['backup', '`compose-persist backup`', m.cpBackup.medianMs, thr(m.cpBackup.medianMs)],
      ['restore', 'bare `docker run --rm ... busybox tar -xf`', m.bareRestore.medianMs, thr(m.bareRestore.medianMs)],
      ['restore', '`compose-persist restore`', m.cpRestore.medianMs, thr(m.cpRestore.medianMs)],
    ];
    const targets = [
      { name: `backup of a ${(bytes / MiB).toFixed(0)} MiB volume / bare tar (median of paired runs)`, value: ratios.backup, target: '≤ 1.3 ×', result: ratios.backup <= 1.3 ? 'PASS' : 'FAIL', note: `ratio of medians ${ofMedians.backup} ×` },
      { name: `restore of a ${(bytes / MiB).toFixed(0)} MiB volume / bare tar (median of paired runs)`, value: ratios.restore, target: '≤ 1.3 ×', result: ratios.restore <= 1.3 ? 'PASS' : 'FAIL', note: `ratio of medians ${ofMedians.restore} ×` },
    ];
    return { results, rows, targets };
  } finally {
    for (const v of [volume, bareVolume]) sh('docker', ['volume', 'rm', '-f', v]);
    // archives written by the helper are root's when the engine runs as root: removed through a container
    sh('docker', ['run', '--rm', '--network', 'none', '-v', `${dir}:/w`, HELPER, 'sh', '-c', 'rm -rf /w/* /w/.[!.]* 2>/dev/null; true']);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
