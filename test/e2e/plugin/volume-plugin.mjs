#!/usr/bin/env node
// A minimal Docker volume plugin for the e2e suite (legacy plugin protocol, JSON over
// HTTP on a unix socket in /run/docker/plugins, where the engine discovers it by name).
//
//   node volume-plugin.mjs --name NAME --store DIR --log FILE [--socket PATH]
//
// The store directory plays the role of the plugin's back end (an EBS pool, a
// Flocker cluster, a Convoy backup target): it OUTLIVES hosts. Each volume's data
// lives in STORE/volumes/NAME; Mount answers that host path and the engine binds it
// into the container.
//
// What one host knows (which volumes are attached/known here) is held in memory only,
// so a new plugin process is a new host. Remove releases a volume from this host and
// keeps its data in the store: the store outlives hosts, and a volume created again
// under the same name (as Compose does on a fresh host) finds its data. This is how
// the host-failure promise of the `plugin` pattern is modelled honestly: deleting
// every local engine object (containers, volumes) and restarting the plugin leaves
// only what a real shared back end would keep.
//
// Every request is appended to LOG as one JSON line {t, op, body}; the test reads the
// Create lines to check the engine received exactly the generated driver_opts.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (dflt !== undefined) return dflt;
  console.error(`volume-plugin: --${name} is required`);
  process.exit(2);
}

const name = arg('name');
const store = path.resolve(arg('store'));
const logFile = path.resolve(arg('log'));
const socket = arg('socket', `/run/docker/plugins/${name}.sock`);

fs.mkdirSync(path.join(store, 'volumes'), { recursive: true });
fs.mkdirSync(path.dirname(socket), { recursive: true });

/** volumes known to this host: name -> { opts, mounts: Set<id> } */
const known = new Map();

const volDir = (v) => path.join(store, 'volumes', v);
const log = (op, body) =>
  fs.appendFileSync(logFile, JSON.stringify({ t: Date.now(), op, body }) + '\n');

const handlers = {
  '/Plugin.Activate': () => ({ Implements: ['VolumeDriver'] }),
  '/VolumeDriver.Capabilities': () => ({ Capabilities: { Scope: 'global' } }),
  '/VolumeDriver.Create': (b) => {
    if (!b.Name) return { Err: 'no volume name' };
    // Data already in the store (made on another host, or before host loss) is reused.
    fs.mkdirSync(volDir(b.Name), { recursive: true });
    known.set(b.Name, { opts: b.Opts ?? {}, mounts: new Set() });
    return { Err: '' };
  },
  '/VolumeDriver.Remove': (b) => {
    const v = known.get(b.Name);
    if (!v) return { Err: `no such volume: ${b.Name}` };
    if (v.mounts.size > 0) return { Err: `volume ${b.Name} is in use` };
    // Released from this host only; the data stays in the store (see header).
    known.delete(b.Name);
    return { Err: '' };
  },
  '/VolumeDriver.Mount': (b) => {
    const v = known.get(b.Name);
    if (!v) return { Err: `no such volume: ${b.Name}` };
    v.mounts.add(b.ID ?? '');
    return { Mountpoint: volDir(b.Name), Err: '' };
  },
  '/VolumeDriver.Unmount': (b) => {
    const v = known.get(b.Name);
    if (!v) return { Err: `no such volume: ${b.Name}` };
    v.mounts.delete(b.ID ?? '');
    return { Err: '' };
  },
  '/VolumeDriver.Path': (b) => {
    const v = known.get(b.Name);
    if (!v) return { Err: `no such volume: ${b.Name}` };
    return { Mountpoint: v.mounts.size > 0 ? volDir(b.Name) : '', Err: '' };
  },
  '/VolumeDriver.Get': (b) => {
    const v = known.get(b.Name);
    if (!v) return { Err: `no such volume: ${b.Name}` };
    return {
      Volume: { Name: b.Name, Mountpoint: v.mounts.size > 0 ? volDir(b.Name) : '', Status: {} },
      Err: '',
    };
  },
  '/VolumeDriver.List': () => ({
    Volumes: [...known.keys()].map((n) => ({ Name: n, Mountpoint: '' })),
    Err: '',
  }),
};

const server = http.createServer((req, res) => {
  let data = '';
  req.setEncoding('utf8');
  req.on('data', (c) => (data += c));
  req.on('end', () => {
    let body = {};
    try {
      body = data.trim() ? JSON.parse(data) : {};
    } catch {
      body = {};
    }
    log(req.url, body);
    const h = handlers[req.url];
    const out = h ? h(body) : { Err: `unsupported: ${req.url}` };
    res.writeHead(h ? 200 : 404, { 'Content-Type': 'application/vnd.docker.plugins.v1+json' });
    res.end(JSON.stringify(out));
  });
});

try {
  fs.unlinkSync(socket);
} catch {}
server.listen(socket, () => {
  console.log(`volume-plugin: ${name} listening on ${socket}, store ${store}`);
});
const stop = () => {
  server.close();
  try {
    fs.unlinkSync(socket);
  } catch {}
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
