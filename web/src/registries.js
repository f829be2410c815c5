// The registries view: the pack, OCI and Helm registries the key sees, each
// with its endpoint, scope and sync status (a failed sync marked, with its
// reason).
import { h, clear } from './dom.js';
import { api, ApiError } from './api.js';

// KINDS are the groups of the view, in order.
const KINDS = [
  { key: 'pack', title: 'Pack registries', none: 'No pack registries.', about: 'Packs pushed to byoos (the Public Repo and private registries); they are served by byoos itself.' },
  { key: 'oci', title: 'OCI registries', none: 'No OCI registries.', about: 'OCI registries (basic authentication or Amazon ECR) whose contents byoos reads and synchronises.' },
  { key: 'helm', title: 'Helm registries', none: 'No Helm registries.', about: 'Helm chart repositories whose charts byoos lists as packs of type helm.' },
];

// when formats a time of the API for reading; Go's zero time is "never".
export function when(t) {
  if (!t || t.startsWith('0001-01-01')) return null;
  return h('time', { datetime: t }, t.replace('T', ' ').replace(/\.\d+/, '').replace('Z', ' UTC'));
}

// syncOf returns the sync status of an item of any of the three lists.
function syncOf(it) {
  const s = it.status || {};
  return s.sync || s.syncStatus || s.packSyncStatus || s.helmSyncStatus || null;
}

// listOf reads a registry list; a list the server does not have (404, as
// before OCI registries existed) is empty.
async function listOf(path) {
  try {
    const res = await api.get(path);
    return (res && res.items) || [];
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return [];
    throw e;
  }
}

// collect reads the three lists. GET /v1/registries/pack also lists the OCI
// registries that hold packs, and GET /v1/registries/helm answers for pack
// registries too (Palette's clients look for packs there): an item whose
// uid is an OCI or pack registry's is that registry, listed once, under its
// own kind.
export async function collect() {
  const [packs, oci, helm] = await Promise.all([listOf('/v1/registries/pack'), listOf('/v1/registries/oci/summary'), listOf('/v1/registries/helm')]);
  const seen = new Set();
  const out = { pack: [], oci: [], helm: [] };
  for (const [kind, items] of [['oci', oci], ['pack', packs], ['helm', helm]]) {
    for (const it of items) {
      const uid = it.metadata && it.metadata.uid;
      if (!uid || seen.has(uid)) continue;
      seen.add(uid);
      out[kind].push(it);
    }
  }
  return out;
}

function statusCell(sync) {
  if (!sync) return h('td', { class: 'sync' }, h('span', { class: 'muted' }, 'No status reported.'));
  const st = sync.status || 'Unknown';
  const failed = /^fail/i.test(st);
  const last = when(sync.lastSyncedTime);
  const ran = when(sync.lastRunTime);
  return h('td', { class: `sync${failed ? ' sync-failed' : ''}` },
    h('span', { class: `badge sync-${st.toLowerCase().replace(/[^a-z]/g, '')}` }, failed ? `⚠ ${st}` : st),
    sync.isSyncSupported === false ? h('span', { class: 'muted' }, ' (no sync needed)') : null,
    sync.message ? h('p', { class: failed ? 'sync-message alert-text' : 'sync-message help' }, failed ? 'Reason: ' : '', sync.message) : null,
    sync.isSyncSupported === false ? null
      : h('p', { class: 'help' }, 'Last synced: ', last || 'never', ran && ran.textContent !== (last && last.textContent) ? [' · last run: ', ran] : null));
}

const OCI_PROVIDERS = ['basic', 'ecr'];

// provider names who serves a registry: for an OCI registry its provider
// (spec.registryType, basic or ecr) and what it holds (spec.providerType:
// pack, helm or zarf, as Palette's V1OciRegistrySpec has them).
function provider(kind, spec) {
  if (kind === 'oci') {
    const [p, holds] = OCI_PROVIDERS.includes(spec.registryType) ? [spec.registryType, spec.providerType] : [spec.providerType, spec.registryType];
    return [p || 'basic', holds ? h('div', { class: 'help' }, `holds ${holds}`) : null];
  }
  if (kind === 'helm') return 'helm';
  return 'byoos';
}

function table(kind, items) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'list registries', dataset: { kind } },
    h('caption', { class: 'sr-only' }, KINDS.find((k) => k.key === kind).title),
    h('thead', {}, h('tr', {}, ['Name', 'Provider', 'Endpoint', 'Scope', 'Private', 'Sync status'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, items.map((it) => {
      const spec = it.spec || {};
      const sync = syncOf(it);
      return h('tr', { dataset: { uid: it.metadata.uid, status: (sync && sync.status) || '' } },
        h('th', { scope: 'row' }, it.metadata.name, kind === 'pack' ? h('div', {}, h('a', { href: '#/packs', class: 'help' }, 'Browse packs')) : null),
        h('td', {}, provider(kind, spec), spec.defaultRegion ? h('div', { class: 'help' }, `region ${spec.defaultRegion}`) : null),
        h('td', { class: 'endpoint' }, h('code', {}, spec.endpoint || '')),
        h('td', {}, spec.scope || ''),
        h('td', {}, spec.isPrivate ? 'yes' : 'no'),
        statusCell(sync));
    }))));
}

// registriesView renders the view into main.
export async function registriesView(main, { setTitle, focusHeading, alertBox, errorText }) {
  setTitle('Registries');
  main.append(h('h1', {}, 'Registries'));
  const body = h('div', { 'aria-busy': 'true' }, h('p', {}, 'Loading…'));
  main.append(body);
  focusHeading(main);
  let regs;
  try {
    regs = await collect();
  } catch (e) {
    clear(body).append(alertBox(errorText(e)));
    body.removeAttribute('aria-busy');
    return;
  }
  clear(body).removeAttribute('aria-busy');
  const failed = KINDS.flatMap((k) => regs[k.key]).filter((it) => /^fail/i.test((syncOf(it) || {}).status || ''));
  if (failed.length) {
    body.append(h('div', { class: 'alert', role: 'status', id: 'sync-failures' },
      `${failed.length} registr${failed.length === 1 ? 'y' : 'ies'} failed to sync: `, failed.map((it) => it.metadata.name).join(', '), '.'));
  }
  for (const k of KINDS) {
    const id = `registries-${k.key}`;
    body.append(h('section', { id, 'aria-labelledby': `${id}-h` },
      h('h2', { id: `${id}-h` }, k.title, ' ', h('span', { class: 'muted count' }, `(${regs[k.key].length})`)),
      h('p', { class: 'help' }, k.about),
      regs[k.key].length ? table(k.key, regs[k.key]) : h('p', { class: 'none' }, k.none)));
  }
}
