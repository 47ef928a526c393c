import { describe, expect, it } from 'vitest';
import { CATALOG, majorOf, matchImage, parseImageRef, VERSION_RULES, versionRule } from '../../src/resolve/catalog.js';
import { buildText, errorsOf } from '../helpers/run.js';
import { initBlock } from '../../src/init/init.js';

const OLD = '/var/lib/postgresql/data';
const NEW = '/var/lib/postgresql';

describe('where the version is in the tag (issue 12.1)', () => {
  it.each([
    // image, catalog entry, major the paths are chosen for, from the tag (false: assumed/unknown), paths
    ['postgres:16', 'postgres', 16, true, [OLD]],
    ['postgres:17-alpine', 'postgres', 17, true, [OLD]],
    ['postgres:18', 'postgres', 18, true, [NEW]],
    ['postgres:18.1-trixie', 'postgres', 18, true, [NEW]],
    ['postgres', 'postgres', 18, false, [NEW]],
    ['postgres:latest', 'postgres', 18, false, [NEW]],
    ['postgres:alpine', 'postgres', 18, false, [NEW]],
    ['postgres:trixie', 'postgres', 18, false, [NEW]],
    ['postgres@sha256:0123abcd', 'postgres', 18, false, [NEW]],
    ['postgres:16@sha256:0123abcd', 'postgres', 16, true, [OLD]],
    ['docker.io/library/postgres:15', 'postgres', 15, true, [OLD]],
    ['localhost:5000/postgres:16', undefined, undefined, false, undefined],
    ['timescale/timescaledb:2.22.0-pg18', 'timescale/timescaledb', 18, true, [NEW]],
    ['timescale/timescaledb:2.22.0-pg17', 'timescale/timescaledb', 17, true, [OLD]],
    ['timescale/timescaledb:latest-pg16', 'timescale/timescaledb', 16, true, [OLD]],
    ['pgvector/pgvector:pg18', 'pgvector/pgvector', 18, true, [NEW]],
    ['pgvector/pgvector:pg17-trixie', 'pgvector/pgvector', 17, true, [OLD]],
    ['pgvector/pgvector:0.8.1-pg18-trixie', 'pgvector/pgvector', 18, true, [NEW]],
    ['postgis/postgis:18-3.5', 'postgis/postgis', 18, true, [NEW]],
    ['postgis/postgis:17-3.5-alpine', 'postgis/postgis', 17, true, [OLD]],
    ['postgis/postgis:latest', 'postgis/postgis', 17, false, [OLD]],
    ['ghcr.io/immich-app/postgres:14-vectorchord0.4.3', 'ghcr.io/immich-app/postgres', 14, true, [OLD]],
    ['ghcr.io/immich-app/postgres:14-vectorchord0.4.3-pgvectors0.2.0', 'ghcr.io/immich-app/postgres', 14, true, [OLD]],
    ['ghcr.io/immich-app/postgres:18-vectorchord1.1.1', 'ghcr.io/immich-app/postgres', 18, true, [NEW]],
  ] as const)('%s', (image, entry, major, fromTag, paths) => {
    const m = matchImage(image);
    expect(m?.entry.image).toBe(entry);
    if (!m) return;
    expect(m.major).toBe(major);
    expect(m.uncertain).toBe(!fromTag);
    expect(m.paths).toEqual(paths);
  });
  it.each([
    ['influxdb:3-core', 3, false],
    ['influxdb:3.11.2-enterprise', 3, false],
    ['influxdb:latest', 3, true],
    ['influxdb', 3, true],
    ['influxdb:core', 3, true],
    ['influxdb:2.9', 2, false],
    ['influxdb:alpine', 2, true],
    ['influxdb:1.12-data', 1, false],
    ['influxdb:meta', 1, true],
  ] as const)('%s is InfluxDB %i', (image, major, assumed) => {
    const m = matchImage(image)!;
    expect(m.major).toBe(major);
    expect(m.uncertain).toBe(assumed);
    const want = { 1: ['/var/lib/influxdb'], 2: ['/var/lib/influxdb2', '/etc/influxdb2'], 3: ['/var/lib/influxdb3', '/home/influxdb3/.influxdb3', '/plugins'] }[major];
    expect(m.paths).toEqual(want);
  });
  it('a registry with a port is a registry, not a tag', () => {
    expect(parseImageRef('localhost:5000/postgres:16')).toEqual({ registry: 'localhost:5000', repository: 'postgres', tag: '16' });
    expect(parseImageRef('localhost:5000/postgres')).toEqual({ registry: 'localhost:5000', repository: 'postgres' });
  });
  it('a tag without the version an image keeps there is not read as one', () => {
    expect(majorOf('2.22.0-pg18', 'pgNN')).toBe(18);
    expect(majorOf('2.22.0', 'pgNN')).toBeUndefined();
    expect(majorOf('latest-pg17', 'pgNN')).toBe(17);
    expect(majorOf('pg18', 'pgNN')).toBe(18);
    expect(majorOf('18-3.5', 'leading-major')).toBe(18);
    expect(majorOf('14-vectorchord0.4.3')).toBe(14);
    expect(majorOf('trixie')).toBeUndefined();
    expect(majorOf('alpine3.22')).toBeUndefined();
    expect(majorOf('7.4.1', '^\\d+\\.(\\d+)')).toBe(4);
  });
  it('the timescale image with a digest only cannot be told: uncertain, no assumption', () => {
    const m = matchImage('timescale/timescaledb@sha256:ab')!;
    expect(m.uncertain).toBe(true);
    expect(m.assumed).toBeUndefined();
  });
  it('every versioned entry says what an unordered tag means, dated; every rule has one group', () => {
    for (const e of CATALOG) {
      const re = versionRule(e.versionIn);
      expect(new RegExp(`${re.source}|`).exec('')!.length, `${e.image}: versionIn needs one capture group`).toBe(2);
      if (!e.versions?.length) continue;
      expect(e.unordered, `${e.image}: versions[] without unordered`).toBeDefined();
      expect(e.unordered!.as_of).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (e.unordered!.assume !== undefined) expect(e.versions.some((v) => v.since !== undefined || v.until !== undefined)).toBe(true);
    }
    expect(Object.keys(VERSION_RULES)).toEqual(['leading-major', 'pgNN']);
  });
});

describe('variables in image tags (issue 12.2)', () => {
  it.each([
    ['postgres:${POSTGRES_VERSION:-17-alpine}', {}, 'postgres', [OLD], false],
    ['postgres:${POSTGRES_VERSION:-17-alpine}', { POSTGRES_VERSION: '18' }, 'postgres', [NEW], false],
    ['postgres:${POSTGRES_VERSION:-17-alpine}', { POSTGRES_VERSION: '' }, 'postgres', [OLD], false],
    ["postgres:${POSTGRES_VERSION-17-alpine}", { POSTGRES_VERSION: "" }, "postgres", [NEW], false],
    ['elasticsearch:${ES_VERSION:-9.4.3}', {}, 'elasticsearch', ['/usr/share/elasticsearch/data'], false],
    ['redis:${REDIS_VERSION:-8.8-alpine}', {}, 'redis', ['/data'], false],
    ['postgres:$PG', { PG: '16' }, 'postgres', [OLD], false],
    ['${REGISTRY:-docker.io}/library/postgres:16', {}, 'postgres', [OLD], false],
    ['postgres:${PG_VERSION}', {}, 'postgres', [NEW], true],
    ['postgres:${PG_VERSION:?set it}', {}, 'postgres', [NEW], true],
    ['${REGISTRY}/postgres:16', {}, 'postgres', [OLD], true],
  ] as const)('%s with %j', (image, vars, entry, paths, unresolved) => {
    const m = matchImage(image, vars)!;
    expect(m.entry.image).toBe(entry);
    expect(m.paths).toEqual(paths);
    expect((m.interpolated!.unset.length + m.interpolated!.problems.length) > 0).toBe(unresolved);
  });
  it('build keeps the image text as written and warns of an unset variable, naming it', () => {
    const src = `services:\n  db:\n    image: postgres:\${PG_VERSION}\nx-persistence:\n  services:\n    db: {pattern: volume}\n`;
    const r = buildText(src);
    expect(errorsOf(r)).toEqual([]);
    expect(r.text).toContain('image: postgres:${PG_VERSION}');
    expect(r.text).toContain(`target: ${NEW}`);
    const w = r.diagnostics.find((d) => d.code === 'IMAGE_VARIABLE_UNSET')!;
    expect(w).toMatchObject({ severity: 'warning', line: 3 });
    expect(w.message).toContain('PG_VERSION is not set');
    const set = buildText(src, { variables: { PG_VERSION: '16' } });
    expect(set.diagnostics.map((d) => d.code)).not.toContain('IMAGE_VARIABLE_UNSET');
    expect(set.text).toContain(`target: ${OLD}`);
    expect(set.text).toContain('image: postgres:${PG_VERSION}');
  });
  it('a variable resolving to 18 makes the old path an error', () => {
    const r = buildText(`services:\n  db: {image: "postgres:\${V:-17}"}\nx-persistence:\n  services:\n    db: {pattern: volume, mounts: [${OLD}]}\n`, { variables: { V: '18' } });
    expect(errorsOf(r)[0]).toMatchObject({ code: 'CATALOG_PATH_MOVED' });
  });
});

describe('init never proposes a refused path', () => {
  it.each([
    ['postgres:latest', NEW],
    ['postgres', NEW],
    ['postgres@sha256:0123', NEW],
    ['postgres:17', OLD],
    ['pgvector/pgvector:pg18', NEW],
    ['timescale/timescaledb:2.22.0-pg18', NEW],
    ['postgres:${PGV:-17-alpine}', OLD],
  ])('%s: %s', (image, path) => {
    const r = initBlock({ file: 'c.yml', text: `services:\n  db:\n    image: "${image}"\n` });
    expect(r.services[0]!.mounts).toEqual([path]);
    expect(r.text).toContain(`- ${path}\n`);
  });
  it('init warns of the service\'s own mount on a refused path, at that mount', () => {
    const r = initBlock({ file: 'c.yml', text: `services:\n  db:\n    image: postgres\n    volumes:\n      - db:${OLD}\nvolumes:\n  db:\n` });
    const w = r.diagnostics.find((d) => d.code === 'CATALOG_PATH_MOVED')!;
    expect(w).toMatchObject({ severity: 'warning', line: 5 });
    expect(r.diagnostics.find((d) => d.code === 'CATALOG_VERSION_UNKNOWN')?.message).toContain('assumed postgres 18');
  });
});

describe('catalog corrections and breadth (issue 12.7)', () => {
  it.each([
    ['gitea/gitea:1.22', ['/data']],
    ['gitea/gitea:1.22-rootless', ['/var/lib/gitea', '/etc/gitea']],
    ['gitea/gitea:latest-rootless', ['/var/lib/gitea', '/etc/gitea']],
    ['docker.gitea.com/gitea:rootless', ['/var/lib/gitea', '/etc/gitea']],
    ['bitnami/mysql:8.4', ['/bitnami/mysql/data']],
    ['bitnami/redis:7.2', ['/bitnami/redis/data']],
    ['bitnami/minio:2024', ['/data']],
    ['bitnami/elasticsearch:8', ['/bitnami/elasticsearch/data']],
    ['influxdb:3-core', ['/var/lib/influxdb3', '/home/influxdb3/.influxdb3', '/plugins']],
    ['caddy:2', ['/data', '/config']],
    ['vaultwarden/server:latest', ['/data']],
    ['getmeili/meilisearch:v1.10', ['/meili_data']],
    ['typesense/typesense:27.1', ['/data']],
    ['qdrant/qdrant', ['/qdrant/storage']],
    ['nats:2.10', ['/data']],
    ['grafana/loki:3.0.0', ['/loki']],
    ['louislam/uptime-kuma:2', ['/app/data']],
    ['lscr.io/linuxserver/jellyfin:latest', ['/config']],
    ['ghcr.io/home-assistant/home-assistant:stable', ['/config']],
    ['ollama/ollama', ['/root/.ollama']],
    ['codeberg.org/forgejo/forgejo:14', ['/data']],
    ['codeberg.org/forgejo/forgejo:14-rootless', ['/var/lib/gitea', '/etc/gitea']],
    ['data.forgejo.org/forgejo/forgejo:latest-rootless', ['/var/lib/gitea', '/etc/gitea']],
    ['quay.io/keycloak/keycloak:26.4', ['/opt/keycloak/data']],
    ['opensearchproject/opensearch:2', ['/usr/share/opensearch/data']],
    ['public.ecr.aws/opensearchproject/opensearch:latest', ['/usr/share/opensearch/data']],
    ['apache/kafka:4.1.0', ['/var/lib/kafka/data', '/tmp/kraft-combined-logs']],
    ['bitnami/kafka:3.9', ['/bitnami/kafka']],
    ['rabbitmq:4-management', ['/var/lib/rabbitmq']],
    ['jellyfin/jellyfin:10.11', ['/config', '/cache']],
    ['ghcr.io/jellyfin/jellyfin', ['/config', '/cache']],
    ['valkey/valkey:8-alpine', ['/data']],
    ['docker.n8n.io/n8nio/n8n:1.81.0', ['/home/node/.n8n']],
    ['matrixdotorg/synapse:latest', ['/data']],
    ['ghcr.io/paperless-ngx/paperless-ngx:latest', ['/usr/src/paperless/data', '/usr/src/paperless/media']],
    ['paperlessngx/paperless-ngx:2.14', ['/usr/src/paperless/data', '/usr/src/paperless/media']],
    ['outlinewiki/outline:0.82.0', ['/var/lib/outline/data']],
    ['ghcr.io/immich-app/immich-server:release', ['/data', '/usr/src/app/upload']],
    ['sonatype/nexus3:3.70.1', ['/nexus-data']],
    ['adguard/adguardhome', ['/opt/adguardhome/work', '/opt/adguardhome/conf']],
    ['ghcr.io/gotify/server:2.6', ['/app/data']],
    ['photoprism/photoprism:latest', ['/photoprism/storage', '/photoprism/originals']],
    ['deluan/navidrome:latest', ['/data']],
    ['ghcr.io/advplyr/audiobookshelf:2', ['/config', '/metadata']],
    ['ghcr.io/mealie-recipes/mealie:v3.20.1', ['/app/data']],
    ['actualbudget/actual-server:latest-alpine', ['/data']],
    ['victoriametrics/victoria-metrics:v1.117.0', ['/victoria-metrics-data']],
    ['koenkk/zigbee2mqtt:latest-dev', ['/app/data']],
    ['ghcr.io/blakeblackshear/frigate:stable-rk', ['/config', '/media/frigate']],
    ['verdaccio/verdaccio:6', ['/verdaccio/storage']],
    ['freshrss/freshrss:alpine', ['/var/www/FreshRSS/data']],
    ['openhab/openhab:4.3.0', ['/openhab/conf', '/openhab/userdata', '/openhab/addons']],
    ['netdata/netdata:stable', ['/etc/netdata', '/var/lib/netdata', '/var/cache/netdata']],
    ['directus/directus:11.1.1', ['/directus/uploads', '/directus/extensions']],
    ['sissbruecker/linkding:latest-plus', ['/etc/linkding/data']],
    ['solr:9-slim', ['/var/solr']],
    ['quay.io/hedgedoc/hedgedoc:1.8.1', ['/hedgedoc/public/uploads']],
  ])('%s keeps its data in %j', (image, paths) => {
    expect(matchImage(image)?.paths).toEqual(paths);
  });
  it('caddy declares /data and /config as volumes (its documentation: two mount-points)', () => {
    expect(matchImage('caddy:2-alpine')!.declaresVolume).toEqual(['/data', '/config']);
  });
  it('aliases that the documentation does not cover are gone (bitnami/minio was minio/minio, bitnami/keycloak keycloak)', () => {
    expect(matchImage('bitnami/minio')!.entry.image).toBe('bitnami/minio');
    expect(matchImage('bitnami/keycloak')).toBeUndefined();
  });
  it('init on a rootless gitea proposes its own paths', () => {
    const r = initBlock({ file: 'c.yml', text: 'services:\n  git:\n    image: gitea/gitea:1.22-rootless\n' });
    expect(r.services[0]!.mounts).toEqual(['/var/lib/gitea', '/etc/gitea']);
  });
});
