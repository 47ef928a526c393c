#!/usr/bin/env node
// compose-persist benchmark: `npm run bench` (= node bench/run.mjs).
//
// Generates inputs of 20, 1,000 and 10,000 services (bench/generate.mjs,
// seeded, deterministic) into bench/inputs/, runs the built CLI
// (dist/cli.js) on each as a whole process several times and prints median
// wall time and peak RSS, the ratios asked for in the issue, PASS/FAIL against
// each target, and the change against the previous bench/results.json.
//
// How it measures (also printed with the results):
//   wall time  every command is a separate process started with
//              child_process.spawnSync and timed with process.hrtime around it
//              (start of spawn to exit), stdout/stderr sent to a log file.
//              Commands of one input are interleaved run by run (baseline,
//              build, validate, baseline, build, ...) so that drift of the
//              machine hits them alike. The RSS runs below come first and are
//              the warm-up (no timed run is the first of its command). With --hyperfine, and hyperfine on PATH, hyperfine
//              times instead (-N, no shell, warm-up 1); it runs each command's
//              runs back to back, not interleaved, so it is not the default.
//   peak RSS   separate runs of the same command under GNU time
//              (`/usr/bin/time -f %M`, the child's getrusage ru_maxrss as
//              reported by wait4, in KiB); the highest sample is reported.
//              Where GNU time is missing, node commands are preloaded with
//              bench/maxrss-hook.cjs, which writes process.resourceUsage()
//              .maxRSS on exit (same figure, without child processes).
//              The RSS runs double as the warm-up and as the check that the
//              CLI succeeds on the input.
//
// NODE_EXTRA_CA_CERTS: Node 20 parses that file (and its bundled roots) at every
// start, before any script runs (nodejs/node#40524). Where it is set, node -e 0 and
// the 20-service build are also timed with it unset, in the same runs, and both are
// printed; the targets are judged in the environment the bench was given.
//
// Groups: build (the above) and dataops (bench/dataops.mjs: backup and restore
// of a 200 MiB volume against a bare busybox tar; needs the engine, skipped
// without one). BENCH_ONLY=dataops (or --only dataops) runs only it.
//
// Exit status: 0 when every command ran, whatever the targets say (this is a
// report); 1 when the CLI is missing or fails on an input; 2 on bad usage.
//
// Options:
//   --sizes 20,1000,10000   inputs to run (default all three)
//   --runs N                timed runs of every command (default 10 / 5 / 3
//                           by size; never below 5 / 5 / 3 unless set here)
//   --cli PATH              CLI entry point (default dist/cli.js; env BENCH_CLI)
//   --baseline-cli PATH     another build of the CLI (e.g. a worktree of the commit before a
//                           change, built with npm run build) timed in the same runs, interleaved
//                           with --cli: build and validate of each size as a ratio this/baseline
//                           (env BENCH_BASELINE_CLI); the output files of both are compared too,
//                           and the targets judged on the baseline's medians as well: the bench
//                           names every target the baseline meets and the CLI does not
//   --seed N                generator seed (default 1)
//   --hyperfine             time with hyperfine when it is on PATH
//   --no-compose            skip the docker-compose comparison
//   --json PATH             results file (default bench/results.json)
//   --timeout S             give up on one run after S seconds (default 600);
//                           a run that times out counts as a CLI failure
//   --only sizes|hostile|verify|dataops  run one group only (env BENCH_ONLY); default all
//
// The verify group (bench/verify.mjs, issue 15 point 8): `compose-persist verify`
// of samples/stack.persist.yaml on the engine, as a ratio to one bare
// `<compose> up --no-start` + `down` of the same output (target <= 4 x); skipped,
// with a line saying why, when no engine or Compose is reachable.
//
// The hostile group (bench/hostile.mjs, issue 13 point 6): one input per
// pass that was quadratic or worse on a hostile file (runs of / in targets,
// did-you-mean over thousands of names, diff over chained volumes_from, a
// stale --check output, a user pattern's ReDoS regex, ...). Each is run like
// the sizes (RSS/warm-up run, then timed runs) and must finish in <= 1 s,
// with the exit status it is meant to have (0, or 1 for a refused input).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';
import { hostileCases } from './hostile.mjs';
import { benchVerify } from './verify.mjs';
import { runDataops } from './dataops.mjs';
import { lostTargets, sizeTargets } from './targets.mjs';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const INPUTS = path.join(BENCH_DIR, 'inputs');
const HOOK = path.join(BENCH_DIR, 'maxrss-hook.cjs');
const NODE = process.execPath;
const MiB = 1024 * 1024;
let TIMEOUT_MS = 600000;
const GROUPS = ['sizes', 'hostile', 'verify', 'dataops'];
const DATAOPS_JSON = path.join(BENCH_DIR, 'results-dataops.json');

// ---------------------------------------------------------------- options --
const DEFAULT_RUNS = { 20: 10, 1000: 5, 10000: 3 };
const RSS_RUNS = (n) => (n >= 10000 ? 1 : n >= 1000 ? 2 : 3);

function parseArgs(argv) {
  const o = {
    sizes: [20, 1000, 10000],
    runs: null,
    cli: process.env.BENCH_CLI || path.join(ROOT, 'dist', 'cli.js'),
    baselineCli: process.env.BENCH_BASELINE_CLI ? path.resolve(process.env.BENCH_BASELINE_CLI) : null,
    seed: 1,
    hyperfine: false,
    compose: true,
    json: path.join(BENCH_DIR, 'results.json'),
    timeoutS: 600,
    only: process.env.BENCH_ONLY || null,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const val = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--sizes':
        o.sizes = val().split(',').map((s) => Number(s.replace(/_/g, '')));
        break;
      case '--runs':
        o.runs = Number(val());
        break;
      case '--cli':
        o.cli = path.resolve(val());
        break;
      case '--baseline-cli':
        o.baselineCli = path.resolve(val());
        break;
      case '--seed':
        o.seed = Number(val());
        break;
      case '--json':
        o.json = path.resolve(val());
        break;
      case '--hyperfine':
        o.hyperfine = true;
        break;
      case '--no-hyperfine':
        o.hyperfine = false;
        break;
      case '--timeout':
        o.timeoutS = Number(val());
        break;
      case '--only':
        o.only = val();
        break;
      case '--no-compose':
        o.compose = false;
        break;
      case '-h':
      case '--help':
        {
          const lines = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1);
          const end = lines.findIndex((l) => !l.startsWith('//'));
          process.stdout.write(`${lines.slice(0, end).map((l) => l.slice(3)).join('\n')}\n`);
        }
        process.exit(0);
        break;
      default:
        usage(`unknown option ${argv[i]}`);
    }
  }
  if (o.only !== null && !GROUPS.includes(o.only)) usage('--only (BENCH_ONLY) takes sizes, hostile, verify or dataops');
  if (o.only === 'hostile' || o.only === 'verify' || o.only === 'dataops') o.sizes = [];
  else if (!o.sizes.length || o.sizes.some((n) => !Number.isInteger(n) || n < 1)) usage('--sizes takes positive integers, e.g. 20,1000,10000');
  if (o.runs !== null && (!Number.isInteger(o.runs) || o.runs < 1)) usage('--runs takes a positive integer');
  if (!Number.isInteger(o.seed)) usage('--seed takes an integer');
  if (!(o.timeoutS > 0)) usage('--timeout takes a number of seconds');
  o.sizes = [...new Set(o.sizes)].sort((a, b) => a - b);
  return o;
}

function usage(msg) {
  process.stderr.write(`bench: ${msg}\nusage: node bench/run.mjs [--sizes 20,1000,10000] [--runs N] [--cli PATH] [--seed N] [--hyperfine] [--no-compose] [--json PATH] [--timeout S]\n`);
  process.exit(2);
}

// ------------------------------------------------------------ environment --
/** Certificates in a PEM file (its BEGIN CERTIFICATE lines), or null when it cannot be read. */
function countCertificates(file) {
  try {
    return (fs.readFileSync(file, 'latin1').match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
  } catch {
    return null;
  }
}

function which(cmd) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return null;
}

function capture(file, args, timeout = 30000) {
  const r = spawnSync(file, args, { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
  return { ok: !r.error && r.status === 0, out: `${r.stdout || ''}${r.stderr || ''}`.trim() };
}

/** Peak-RSS method: GNU time if present and sane, else the node preload hook. */
function detectRssMethod() {
  const gnu = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
  if (gnu) {
    const tmp = path.join(INPUTS, '.rss-probe');
    const r = spawnSync(gnu, ['-o', tmp, '-f', '%M', NODE, '-e', 'process.stdout.write(String(process.resourceUsage().maxRSS))'], { encoding: 'utf8' });
    const timeKiB = readRss(tmp);
    const selfKiB = Number(r.stdout);
    fs.rmSync(tmp, { force: true });
    if (r.status === 0 && timeKiB > 0 && selfKiB > 0) {
      const q = timeKiB / selfKiB;
      // GNU time 1.7 reported ru_maxrss 4x too high; correct it if seen.
      if (q > 3.5 && q < 4.5) return { kind: 'gnu-time', bin: gnu, scale: 0.25, label: '/usr/bin/time -f %M (÷4: this GNU time over-reports)' };
      if (q > 0.8 && q < 1.25) return { kind: 'gnu-time', bin: gnu, scale: 1, label: '/usr/bin/time -f %M (wait4 ru_maxrss of the child)' };
    }
  }
  return { kind: 'node-hook', scale: 1, label: 'node -r bench/maxrss-hook.cjs (process.resourceUsage().maxRSS at exit)' };
}

function detectHyperfine(wanted) {
  if (!wanted) return null;
  const bin = which('hyperfine');
  if (!bin) return null;
  const v = capture(bin, ['--version']);
  const m = /(\d+)\.(\d+)/.exec(v.out);
  // -N (no shell) needs 1.13 or newer
  if (!v.ok || !m || Number(m[1]) < 1 || (Number(m[1]) === 1 && Number(m[2]) < 13)) return null;
  return { bin, version: v.out.replace(/^hyperfine\s*/, '') };
}

function detectCompose(wanted) {
  if (!wanted) return { skipped: 'disabled with --no-compose' };
  const dc = which('docker-compose');
  if (dc) {
    const v = capture(dc, ['version', '--short']);
    if (v.ok) return { file: dc, pre: [], label: 'docker-compose', version: v.out.split('\n')[0] };
  }
  const docker = which('docker');
  if (docker) {
    const v = capture(docker, ['compose', 'version', '--short']);
    if (v.ok) return { file: docker, pre: ['compose'], label: 'docker compose', version: v.out.split('\n')[0] };
  }
  return { skipped: 'docker-compose is not installed (nor the docker compose plugin)' };
}

function cpuModel() {
  const c = os.cpus();
  return c.length ? c[0].model.trim() : 'unknown';
}

// ------------------------------------------------------------ measurement --
function readRss(file) {
  try {
    // GNU time writes "Command exited with non-zero status N" before the
    // format line when the child fails; the figure is the last line.
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const n = Number(lines[lines.length - 1]);
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

let logSeq = 0;
/**
 * Run one command once. mode 'time': plain run, timed; mode 'rss': under the
 * RSS probe. Returns { ms, ok, status, rssKiB, log }.
 */
function runOnce(cmd, mode, rssMethod) {
  const log = path.join(INPUTS, `${cmd.id}.log`);
  const fd = fs.openSync(log, 'w');
  let file = cmd.file;
  let args = cmd.args;
  let env = cmd.env ?? process.env;
  const rssFile = path.join(INPUTS, `.rss-${process.pid}-${logSeq++}`);
  if (mode === 'rss') {
    if (rssMethod.kind === 'gnu-time') {
      args = ['-o', rssFile, '-f', '%M', file, ...args];
      file = rssMethod.bin;
    } else if (cmd.isNode) {
      args = ['-r', HOOK, ...args];
      env = { ...env, BENCH_MAXRSS_FILE: rssFile };
    }
  }
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, args, { cwd: cmd.cwd, env, stdio: ['ignore', fd, fd], timeout: TIMEOUT_MS, killSignal: 'SIGKILL' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  fs.closeSync(fd);
  let rssKiB = null;
  if (mode === 'rss') {
    const raw = readRss(rssFile);
    rssKiB = raw === null ? null : raw * rssMethod.scale;
    fs.rmSync(rssFile, { force: true });
  }
  const ok = !r.error && r.status === (cmd.exit ?? 0);
  const timedOut = r.error ? r.error.code === 'ETIMEDOUT' : r.signal === 'SIGKILL' && ms >= TIMEOUT_MS;
  return { ms, ok, status: timedOut ? `timed out after ${TIMEOUT_MS / 1000} s` : ok ? `exit ${r.status}` : r.error ? r.error.message : r.signal ? `signal ${r.signal}` : cmd.exit ? `exit ${r.status}, expected ${cmd.exit}` : `exit ${r.status}`, rssKiB, log };
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { medianMs: round(median), minMs: round(s[0]), maxMs: round(s[s.length - 1]), meanMs: round(mean), samplesMs: samples.map(round) };
}

const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

function shellQuote(s) {
  return /^[A-Za-z0-9_\/.,:=+@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function tail(file, lines = 15) {
  try {
    const all = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    return all.slice(-lines).map((l) => `    ${l}`).join('\n');
  } catch {
    return '    (no output)';
  }
}

/**
 * Measure a group of commands: RSS/warm-up/correctness runs first, then
 * `runs` timed runs, interleaved (or one hyperfine call).
 * Returns { [id]: { ok, error?, wall?, peakRssMiB, rssSamplesMiB } }.
 */
function measureGroup(cmds, runs, rssRuns, ctx) {
  const res = {};
  const live = [];
  for (const cmd of cmds) {
    if (cmd.after && !(res[cmd.after] && res[cmd.after].ok)) {
      res[cmd.id] = { ok: false, error: `skipped: ${cmd.after} failed` };
      continue;
    }
    const rss = [];
    let failed = null;
    for (let i = 0; i < rssRuns; i++) {
      const r = runOnce(cmd, 'rss', ctx.rssMethod);
      if (!r.ok) {
        failed = r;
        break;
      }
      if (r.rssKiB !== null) rss.push(r.rssKiB);
    }
    if (!failed && cmd.check) {
      const why = cmd.check();
      if (why) failed = { status: why, log: path.join(INPUTS, `${cmd.id}.log`) };
    }
    if (failed) {
      res[cmd.id] = { ok: false, error: `${cmd.label} failed (${failed.status})`, log: failed.log };
      process.stderr.write(`\n  ✗ ${cmd.label} failed (${failed.status}); last output (${path.relative(ROOT, failed.log)}):\n${tail(failed.log)}\n`);
      continue;
    }
    res[cmd.id] = { ok: true, peakRssMiB: rss.length ? round(Math.max(...rss) / 1024, 1) : null, rssSamplesMiB: rss.map((k) => round(k / 1024, 1)) };
    live.push(cmd);
  }
  if (!live.length) return res;

  // hyperfine runs every command in the bench's own environment: a group with a command of its own environment is timed here.
  if (ctx.hyperfine && live.every((c) => c.cwd === live[0].cwd && !c.env)) {
    const json = path.join(INPUTS, `.hyperfine-${process.pid}.json`);
    const args = ['-N', '--style', 'none', '--warmup', '1', '--runs', String(runs), '--export-json', json];
    for (const c of live) args.push('-n', c.id, [c.file, ...c.args].map(shellQuote).join(' '));
    const r = spawnSync(ctx.hyperfine.bin, args, { cwd: live[0].cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status === 0) {
      const out = JSON.parse(fs.readFileSync(json, 'utf8'));
      fs.rmSync(json, { force: true });
      for (const row of out.results) res[row.command].wall = stats(row.times.map((t) => t * 1000));
      return res;
    }
    process.stderr.write(`\n  hyperfine failed (${r.status}): ${(r.stderr || '').trim().split('\n').slice(-3).join(' / ')}; timing with the built-in timer instead\n`);
  }

  const samples = Object.fromEntries(live.map((c) => [c.id, []]));
  for (let i = 0; i < runs; i++) {
    for (const c of live) {
      if (!res[c.id].ok) continue;
      const r = runOnce(c, 'time', ctx.rssMethod);
      if (!r.ok) {
        res[c.id] = { ok: false, error: `${c.label} failed on timed run ${i + 1} (${r.status})`, log: r.log };
        process.stderr.write(`\n  ✗ ${c.label} failed on timed run ${i + 1} (${r.status}):\n${tail(r.log)}\n`);
        continue;
      }
      samples[c.id].push(r.ms);
    }
  }
  for (const c of live) if (res[c.id].ok) res[c.id].wall = stats(samples[c.id]);
  return res;
}

// -------------------------------------------------------------- formatting --
function fmtMs(ms) {
  if (ms === null || ms === undefined) return 'n/a';
  return ms >= 1000 ? `${(ms / 1000).toFixed(3)} s` : `${ms.toFixed(1)} ms`;
}
const fmtMiB = (m) => (m === null || m === undefined ? 'n/a' : `${m.toFixed(1)} MiB`);
const fmtX = (x) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${x.toFixed(2)} ×`);
function fmtBytes(b) {
  if (b === null || b === undefined) return 'n/a';
  if (b >= MiB) return `${(b / MiB).toFixed(2)} MiB`;
  if (b >= 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${b} B`;
}
const fmtInt = (n) => n.toLocaleString('en-US');

function table(head, rows, align) {
  const a = align || head.map(() => 'l');
  const cells = [head, ...rows].map((r) => r.map((c) => String(c)));
  const w = head.map((_, i) => Math.max(3, ...cells.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => (a[i] === 'r' ? c.padStart(w[i]) : c.padEnd(w[i]))).join(' | ')} |`;
  const sep = `| ${w.map((n, i) => (a[i] === 'r' ? `${'-'.repeat(n - 1)}:` : '-'.repeat(n))).join(' | ')} |`;
  return [line(cells[0]), sep, ...cells.slice(1).map(line)].join('\n');
}

// ------------------------------------------------------------------- main --
function main() {
  const opt = parseArgs(process.argv.slice(2));
  const only = opt.only || '';
  if (!fs.existsSync(opt.cli)) {
    process.stderr.write(`bench: CLI not found at ${path.relative(ROOT, opt.cli) || opt.cli}; run \`npm run build\` first (or pass --cli PATH)\n`);
    return 1;
  }
  let code = 0;
  if (only !== 'dataops') code = buildMain(opt);
  if (!only) code = Math.max(code, dataopsMain(opt, false));
  else if (only === 'dataops') code = dataopsMain(opt, true);
  return code;
}

// ------------------------------------------------------------ dataops group --
function dataopsMain(opt, alone) {
  console.log(`${alone ? '# compose-persist benchmark: data operations' : '\n# Data operations'}\n`);
  let r;
  try {
    r = runDataops({ cli: opt.cli, runs: opt.runs ?? 5 });
  } catch (e) {
    console.log(`A data-operation command failed: ${e.message}`);
    return 1;
  }
  if (r.skipped) {
    console.log(`Skipped: ${r.skipped}.`);
    return 0;
  }
  const res = r.results;
  console.log(`One volume of ${fmtBytes(res.volumeBytes)} on disk: ${fmtInt(res.smallFiles)} files of 4 KiB in 100 directories and one file of ${res.largeMiB} MiB; median of ${res.runs} timed runs after a warm-up, the commands taking turns.\n`);
  console.log(table(['operation', 'command', 'median wall', 'throughput'], r.rows.map(([o, c, ms, t]) => [o, c, fmtMs(ms), t]), ['l', 'l', 'r', 'r']));
  console.log('\n## Targets (data operations)\n');
  console.log(table(['check', 'measured', 'target', 'result', 'note'], r.targets.map((t) => [t.name, fmtX(t.value), t.target, t.result, t.note ?? ''])));
  fs.writeFileSync(DATAOPS_JSON, `${JSON.stringify({ date: new Date().toISOString(), ...res, targets: r.targets }, null, 2)}\n`);
  console.log(`\nFigures written to ${path.relative(ROOT, DATAOPS_JSON)}.`);
  return 0;
}

function buildMain(opt) {
  TIMEOUT_MS = opt.timeoutS * 1000;
  fs.mkdirSync(INPUTS, { recursive: true });

  const rssMethod = detectRssMethod();
  const hyperfine = detectHyperfine(opt.hyperfine);
  if (opt.hyperfine && !hyperfine) process.stderr.write('bench: --hyperfine: hyperfine 1.13 or newer is not on PATH; using the built-in timer\n');
  const compose = opt.sizes.includes(20) ? detectCompose(opt.compose) : { skipped: 'no 20-service input in --sizes' };
  const ctx = { rssMethod, hyperfine };
  const cliRel = path.relative(ROOT, opt.cli) || opt.cli;

  let previous = null;
  try {
    previous = JSON.parse(fs.readFileSync(opt.json, 'utf8'));
  } catch {
    // first run, or unreadable: nothing to compare with
  }

  const env = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: cpuModel(),
    cores: os.cpus().length,
    memGiB: round(os.totalmem() / 1024 ** 3, 1),
    timing: hyperfine ? `hyperfine ${hyperfine.version} (-N, warm-up 1)` : 'built-in (spawnSync + hrtime, interleaved, after the RSS runs)',
    rss: rssMethod.label,
    compose: compose.skipped ? `skipped: ${compose.skipped}` : `${compose.label} ${compose.version}`,
    nodeOptions: process.env.NODE_OPTIONS || null,
    cli: cliRel,
    seed: opt.seed,
  };

  console.log(`# compose-persist benchmark\n`);
  console.log(`node ${env.node} on ${env.platform}, ${env.cpu} × ${env.cores}, ${env.memGiB} GiB`);
  console.log(`timing: ${env.timing}; peak RSS: ${env.rss}`);
  console.log(`CLI: node ${cliRel}; inputs: bench/generate.mjs seed ${opt.seed}${env.nodeOptions ? `; NODE_OPTIONS=${env.nodeOptions}` : ''}\n`);

  const sizes = {};
  let baselines = { nodeE0: null, compose: compose.skipped ? { skipped: compose.skipped } : null };
  let cliFailed = false;
  /** Where NODE_EXTRA_CA_CERTS is set: node -e 0 and the 20-service build timed without it, in the same runs. */
  let nodeStartup = null;

  for (const n of opt.sizes) {
    const input = path.join(INPUTS, `services-${n}.yml`);
    const output = path.join(INPUTS, `services-${n}.out.yml`);
    const text = generate(n, { seed: opt.seed });
    fs.writeFileSync(input, text);
    fs.rmSync(output, { force: true });
    const runs = opt.runs ?? DEFAULT_RUNS[n] ?? (n >= 10000 ? 3 : 5);
    const rssRuns = RSS_RUNS(n);
    const cmds = [];
    if (n === 20) cmds.push({ id: 'node-e0', label: 'node -e 0', file: NODE, args: ['-e', '0'], cwd: ROOT, isNode: true });
    cmds.push({
      id: `build-${n}`,
      label: `build (${fmtInt(n)} services)`,
      file: NODE,
      args: [opt.cli, 'build', '-f', input, '-o', output],
      cwd: ROOT,
      isNode: true,
      check: () => {
        try {
          return fs.statSync(output).size > 0 ? null : 'wrote an empty output file';
        } catch {
          return `exited 0 but wrote no ${path.relative(ROOT, output)}`;
        }
      },
    });
    cmds.push({ id: `validate-${n}`, label: `validate (${fmtInt(n)} services)`, file: NODE, args: [opt.cli, 'validate', '-f', input], cwd: ROOT, isNode: true });
    const baseOutput = path.join(INPUTS, `services-${n}.baseline.out.yml`);
    if (opt.baselineCli) {
      fs.rmSync(baseOutput, { force: true });
      cmds.push({ id: `base-build-${n}`, label: `baseline build (${fmtInt(n)} services)`, file: NODE, args: [opt.baselineCli, 'build', '-f', input, '-o', baseOutput], cwd: ROOT, isNode: true });
      cmds.push({ id: `base-validate-${n}`, label: `baseline validate (${fmtInt(n)} services)`, file: NODE, args: [opt.baselineCli, 'validate', '-f', input], cwd: ROOT, isNode: true });
    }
    // Node 20 reads NODE_EXTRA_CA_CERTS (and its own bundled roots) at every start; where it is set,
    // node -e 0 and the 20-service build are also timed without it, to say what it costs here.
    const caCerts = n === 20 ? process.env.NODE_EXTRA_CA_CERTS : undefined;
    const noCaOutput = path.join(INPUTS, `services-${n}.no-extra-ca.out.yml`);
    if (caCerts) {
      const noCa = { ...process.env };
      delete noCa.NODE_EXTRA_CA_CERTS;
      fs.rmSync(noCaOutput, { force: true });
      cmds.push({ id: 'node-e0-no-extra-ca', label: 'node -e 0 (NODE_EXTRA_CA_CERTS unset)', file: NODE, args: ['-e', '0'], cwd: ROOT, isNode: true, env: noCa });
      cmds.push({ id: `build-${n}-no-extra-ca`, label: `build (${fmtInt(n)} services, NODE_EXTRA_CA_CERTS unset)`, file: NODE, args: [opt.cli, 'build', '-f', input, '-o', noCaOutput], cwd: ROOT, isNode: true, env: noCa });
    }
    if (n === 20 && !compose.skipped) {
      cmds.push({ id: 'compose-config', label: `${compose.label} config -q`, file: compose.file, args: [...compose.pre, '-f', output, 'config', '-q'], cwd: ROOT, after: `build-${n}` });
    }

    process.stderr.write(`${fmtInt(n)} services: ${cmds.length} commands × (${rssRuns} RSS/warm-up + ${runs} timed) runs ...`);
    const t0 = Date.now();
    const res = measureGroup(cmds, runs, rssRuns, ctx);
    process.stderr.write(` ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);

    for (const id of [`build-${n}`, `validate-${n}`]) if (!res[id].ok) cliFailed = true;
    const pick = (r) => (r && r.ok ? { runs: r.wall.samplesMs.length, ...r.wall, peakRssMiB: r.peakRssMiB, rssSamplesMiB: r.rssSamplesMiB } : { error: r ? r.error : 'not run' });
    let outBytes = null;
    try {
      outBytes = fs.statSync(output).size;
    } catch {
      // build failed
    }
    sizes[n] = { services: n, inputBytes: Buffer.byteLength(text), outputBytes: outBytes, build: pick(res[`build-${n}`]), validate: pick(res[`validate-${n}`]) };
    if (opt.baselineCli) {
      let sameOutput = null;
      try {
        sameOutput = fs.readFileSync(output).equals(fs.readFileSync(baseOutput));
      } catch {
        // one of the builds failed
      }
      sizes[n].baseline = { build: pick(res[`base-build-${n}`]), validate: pick(res[`base-validate-${n}`]), sameOutput };
    }
    if (caCerts) {
      let sameOutput = null;
      try {
        sameOutput = fs.readFileSync(output).equals(fs.readFileSync(noCaOutput));
      } catch {
        // one of the builds failed
      }
      nodeStartup = { extraCaCerts: caCerts, certificates: countCertificates(caCerts), nodeE0: pick(res['node-e0-no-extra-ca']), build20: pick(res[`build-${n}-no-extra-ca`]), sameOutput };
    }
    if (n === 20) {
      baselines.nodeE0 = pick(res['node-e0']);
      if (!compose.skipped) {
        const c = res['compose-config'];
        baselines.compose = { tool: compose.label, version: compose.version, ...pick(c) };
        if (c && !c.ok && res['build-20'].ok) baselines.compose.error = `${compose.label} rejected the CLI output: ${c.error}`;
      }
    }
  }

  // --------------------------------------------------------- hostile ----
  const hostile = {};
  if (opt.only === null || opt.only === 'hostile') {
    const hdir = path.join(INPUTS, 'hostile');
    const cmds = [];
    for (const c of hostileCases()) {
      const dir = path.join(hdir, c.id);
      fs.rmSync(dir, { recursive: true, force: true });
      let bytes = 0;
      for (const [name, text] of Object.entries(c.files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
        bytes += Buffer.byteLength(text);
      }
      cmds.push({ id: `hostile-${c.id}`, label: `hostile ${c.id}`, file: NODE, args: [opt.cli, ...c.args], cwd: dir, isNode: true, exit: c.exit });
      hostile[c.id] = { label: c.label, command: c.args.join(' '), expectedExit: c.exit, inputBytes: bytes };
    }
    const runs = opt.runs ?? 3;
    // A pass that went quadratic again takes minutes: give up on a run after 30 s.
    const saved = TIMEOUT_MS;
    TIMEOUT_MS = Math.min(TIMEOUT_MS, 30000);
    process.stderr.write(`hostile inputs: ${cmds.length} commands × (1 RSS/warm-up + ${runs} timed) runs ...`);
    const t0 = Date.now();
    const res = measureGroup(cmds, runs, 1, ctx);
    process.stderr.write(` ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    TIMEOUT_MS = saved;
    for (const id of Object.keys(hostile)) {
      const r = res[`hostile-${id}`];
      if (!r || !r.ok) cliFailed = true;
      Object.assign(hostile[id], r && r.ok ? { runs: r.wall.samplesMs.length, ...r.wall, peakRssMiB: r.peakRssMiB } : { error: r ? r.error : 'not run' });
    }
  }

  // ---------------------------------------------------------- verify ----
  let verify = null;
  if (opt.only === null || opt.only === 'verify') {
    const vruns = opt.runs ?? 5;
    process.stderr.write(`verify of samples/stack.persist.yaml vs a bare up --no-start + down: 1 warm-up + ${vruns} runs each ...`);
    const t0 = Date.now();
    verify = benchVerify({ cli: opt.cli, root: ROOT, runs: vruns, node: NODE });
    process.stderr.write(` ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    if (verify.error) cliFailed = true;
  }

  // ---------------------------------------------------------- ratios ----
  const med = (s) => (s && s.medianMs !== undefined ? s.medianMs : null);
  const div = (a, b) => (a === null || b === null || !b ? null : round(a / b, 3));
  const node0 = med(baselines.nodeE0);
  const comp = baselines.compose && !baselines.compose.skipped ? med(baselines.compose) : null;
  const figures = (pick) => ({
    sizes: opt.sizes,
    nodeE0: baselines.nodeE0,
    compose: baselines.compose,
    build: Object.fromEntries(opt.sizes.map((n) => [n, pick(sizes[n])?.build])),
    validate: Object.fromEntries(opt.sizes.map((n) => [n, pick(sizes[n])?.validate])),
  });
  const sized = sizeTargets(figures((s) => s));
  const ratios = sized.ratios;
  // The baseline CLI judged by the same rules on its own medians of the same runs.
  const before = opt.baselineCli && opt.sizes.length ? sizeTargets(figures((s) => s.baseline)) : null;
  const targets = [];
  const T = (name, value, shown, target, pass, note) => targets.push({ name, value, shown, target, result: value === null ? 'n/a' : pass ? 'PASS' : 'FAIL', note: note || '' });
  if (opt.only === null || opt.only === 'sizes') targets.push(...sized.targets);
  for (const [id, h] of Object.entries(hostile)) {
    const m = h.error ? null : h.medianMs;
    T(`hostile ${id}`, m, fmtMs(m), '≤ 1 s', m !== null && m <= 1000, h.error || `${h.command} (${fmtBytes(h.inputBytes)}), exit ${h.expectedExit}`);
  }

  if (verify) {
    const v = verify.ratio ?? null;
    T('verify stack.persist.yaml / bare up --no-start + down', v, fmtX(v), '≤ 4 ×', v !== null && v <= 4, verify.skipped ? `skipped: ${verify.skipped}` : verify.error || `${fmtMs(verify.verifyMs)} vs ${fmtMs(verify.bareMs)} (${verify.compose}, median of ${verify.runs})`);
  }

  // ---------------------------------------------------------- report ----
  if (opt.sizes.length) console.log('## Wall time and peak RSS\n');
  const rows = [];
  const row = (input, what, s) => rows.push([input, what, s.error ? 'FAILED' : s.runs, s.error ? 'n/a' : fmtMs(s.medianMs), s.error ? 'n/a' : `${fmtMs(s.minMs)} – ${fmtMs(s.maxMs)}`, s.error ? 'n/a' : fmtMiB(s.peakRssMiB)]);
  if (baselines.nodeE0) row('—', '`node -e 0`', baselines.nodeE0);
  for (const n of opt.sizes) {
    const s = sizes[n];
    const input = `${fmtInt(n)} services (${fmtBytes(s.inputBytes)})`;
    row(input, '`build`', s.build);
    row(input, '`validate`', s.validate);
    if (n === 20 && baselines.compose && !baselines.compose.skipped) row(`output of 20 (${fmtBytes(s.outputBytes)})`, `\`${baselines.compose.tool} config -q\``, baselines.compose);
  }
  if (opt.sizes.length) console.log(table(['input', 'command', 'runs', 'median wall', 'min – max', 'peak RSS'], rows, ['l', 'l', 'r', 'r', 'r', 'r']));
  if (Object.keys(hostile).length) {
    console.log(`${opt.sizes.length ? '\n' : ''}## Hostile inputs (bench/hostile.mjs)\n`);
    const hrows = Object.entries(hostile).map(([id, h]) => [id, h.label, fmtBytes(h.inputBytes), h.error ? 'FAILED' : h.runs, h.error ? 'n/a' : fmtMs(h.medianMs), h.error ? 'n/a' : `${fmtMs(h.minMs)} – ${fmtMs(h.maxMs)}`, h.error ? 'n/a' : fmtMiB(h.peakRssMiB)]);
    console.log(table(['case', 'input', 'size', 'runs', 'median wall', 'min – max', 'peak RSS'], hrows, ['l', 'l', 'r', 'r', 'r', 'r', 'r']));
  }
  if (nodeStartup) {
    const withIt = { node: med(baselines.nodeE0), build: med(sizes[20].build) };
    const without = { node: med(nodeStartup.nodeE0), build: med(nodeStartup.build20) };
    const diff = (a, b) => (a === null || b === null ? 'n/a' : fmtMs(a - b));
    console.log(`\n## Node's start-up here: NODE_EXTRA_CA_CERTS\n`);
    console.log(
      `NODE_EXTRA_CA_CERTS is set (${nodeStartup.extraCaCerts}${nodeStartup.certificates !== null ? `, ${fmtInt(nodeStartup.certificates)} certificates` : ''}). Node 20 reads that file, and builds its own store of ` +
        `bundled root certificates with it, at every start, before any script runs (nodejs/node#40524); compose-persist makes no TLS connection. ` +
        `The same commands without it, in the same runs:\n`,
    );
    console.log(
      table(
        ['command', 'with it', 'unset', 'difference'],
        [
          ['`node -e 0`', fmtMs(withIt.node), fmtMs(without.node), diff(withIt.node, without.node)],
          ['`build` (20 services)', fmtMs(withIt.build), fmtMs(without.build), diff(withIt.build, without.build)],
        ],
        ['l', 'r', 'r', 'r'],
      ),
    );
    const unsetRatios = sizeTargets({ sizes: [20], nodeE0: nodeStartup.nodeE0, compose: baselines.compose, build: { 20: nodeStartup.build20 }, validate: {} }).ratios;
    nodeStartup.ratios = { build20OverNode: unsetRatios.build20OverNode, composeOverBuild20: unsetRatios.composeOverBuild20 };
    console.log(
      `\nWith it unset: build / node -e 0 ${fmtX(unsetRatios.build20OverNode)}, ${baselines.compose?.tool ?? 'docker-compose'} config -q / build ${fmtX(unsetRatios.composeOverBuild20)}` +
        `${nodeStartup.sameOutput === false ? ' (the output DIFFERS from the build with it set)' : nodeStartup.sameOutput ? ' (same output bytes)' : ''}. ` +
        `For information: the targets below are judged in the environment the bench was given.`,
    );
  }
  if (opt.sizes.length && baselines.compose && baselines.compose.skipped) console.log(`\ndocker-compose comparison skipped: ${baselines.compose.skipped}.`);

  if (opt.baselineCli && opt.sizes.length) {
    console.log(`\n## Against the baseline CLI (${path.relative(ROOT, opt.baselineCli) || opt.baselineCli}), same runs, interleaved\n`);
    const brows = [];
    for (const n of opt.sizes) {
      const b = sizes[n].baseline;
      for (const cmd of ['build', 'validate']) {
        const now = med(sizes[n][cmd]);
        const then = med(b[cmd]);
        brows.push([`${fmtInt(n)} services`, cmd, fmtMs(then), fmtMs(now), fmtX(div(now, then)), cmd === 'build' ? (b.sameOutput === null ? 'n/a' : b.sameOutput ? 'same bytes' : 'DIFFERENT') : '']);
      }
    }
    console.log(table(['input', 'command', 'baseline median', 'this median', 'this / baseline', 'output'], brows, ['l', 'l', 'r', 'r', 'r', 'l']));
    ratios.againstBaseline = Object.fromEntries(opt.sizes.flatMap((n) => ['build', 'validate'].map((cmd) => [`${cmd}${n}`, div(med(sizes[n][cmd]), med(sizes[n].baseline[cmd]))])));
  }
  console.log('\n## Targets\n');
  if (before) {
    const then = (t) => before.targets.find((b) => b.name === t.name);
    const shownThen = (t) => (!then(t) ? '' : then(t).result === 'n/a' ? 'n/a' : `${then(t).shown} ${then(t).result}`);
    console.log(table(['check', 'measured', 'target', 'result', 'baseline CLI, same runs', 'note'], targets.map((t) => [t.name, t.shown, t.target, t.result, shownThen(t), t.note])));
    const lost = lostTargets(targets, before.targets);
    ratios.lostAgainstBaseline = lost;
    console.log(`\nTargets the baseline CLI meets and this one does not: ${lost.length ? lost.join('; ') : 'none'}.`);
  } else console.log(table(['check', 'measured', 'target', 'result', 'note'], targets.map((t) => [t.name, t.shown, t.target, t.result, t.note])));

  const results = { env, sizes, hostile, verify, baselines, ratios, nodeStartup, targets: targets.map(({ shown, ...t }) => t), ...(before ? { baselineTargets: before.targets.map(({ shown, ...t }) => t) } : {}) };

  if (previous && previous.sizes) {
    const metrics = [];
    const add = (label, prev, now, unit) => {
      if (prev === null || prev === undefined || now === null || now === undefined) return;
      const pct = prev ? ((now - prev) / prev) * 100 : 0;
      const f = unit === 'ms' ? fmtMs : unit === 'MiB' ? fmtMiB : fmtX;
      metrics.push([label, f(prev), f(now), `${pct >= 0 ? '+' : ''}${pct.toFixed(1)} %`]);
    };
    add('`node -e 0` median', previous.baselines?.nodeE0?.medianMs, node0, 'ms');
    for (const n of opt.sizes) {
      const p = previous.sizes[n];
      if (!p) continue;
      for (const k of ['build', 'validate']) {
        add(`${fmtInt(n)} services \`${k}\` median`, p[k]?.medianMs, sizes[n][k].medianMs, 'ms');
        add(`${fmtInt(n)} services \`${k}\` peak RSS`, p[k]?.peakRssMiB, sizes[n][k].peakRssMiB, 'MiB');
      }
    }
    if (previous.baselines?.compose?.tool === baselines.compose?.tool) add(`\`${baselines.compose?.tool} config -q\` median`, previous.baselines?.compose?.medianMs, comp, 'ms');
    add('build 20 / node -e 0', previous.ratios?.build20OverNode, ratios.build20OverNode, 'x');
    add('build 10,000 / 1,000', previous.ratios?.build10kOver1k, ratios.build10kOver1k, 'x');
    for (const [id, h] of Object.entries(hostile)) add(`hostile ${id} median`, previous.hostile?.[id]?.medianMs, h.medianMs, 'ms');
    console.log(`\n## Change since the previous run (${previous.env?.date ?? 'unknown date'})\n`);
    if (metrics.length) console.log(table(['figure', 'previous', 'now', 'change'], metrics, ['l', 'r', 'r', 'r']));
    else console.log('No figure in common with the previous run.');
    const diff = ['node', 'cpu', 'cores', 'timing', 'rss', 'cli', 'seed'].filter((k) => previous.env && previous.env[k] !== env[k]);
    if (diff.length) console.log(`\nNote: the setup differs from the previous run (${diff.map((k) => `${k}: ${previous.env[k]} → ${env[k]}`).join('; ')}); compare with care.`);
    const flips = targets.filter((t) => {
      const p = (previous.targets || []).find((q) => q.name === t.name);
      return p && p.result !== t.result;
    });
    for (const t of flips) console.log(`Target changed: ${t.name}: ${(previous.targets || []).find((q) => q.name === t.name).result} → ${t.result}`);
  } else {
    console.log(`\nNo previous ${path.relative(ROOT, opt.json)} to compare with.`);
  }

  fs.writeFileSync(opt.json, `${JSON.stringify(results, null, 2)}\n`);
  const fails = targets.filter((t) => t.result === 'FAIL').length;
  console.log(`\nFigures written to ${path.relative(ROOT, opt.json)}. ${targets.filter((t) => t.result === 'PASS').length} PASS, ${fails} FAIL, ${targets.filter((t) => t.result === 'n/a').length} n/a.`);
  if (cliFailed) {
    console.log('\nThe CLI failed on at least one input (see above): exit 1.');
    return 1;
  }
  return 0;
}

process.exitCode = main();
