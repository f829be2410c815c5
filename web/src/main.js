// byoos web UI: sign in, registries and packs, macros, cluster profiles,
// the create-profile wizard and the pack editor. It uses only the public HTTP
// API, and renders every server value as text.
import { h, clear, field, debounce, append } from './dom.js';
import { api, request, session, ApiError } from './api.js';
import { markdown } from './markdown.js';
import { layerEditor, findingItem, loadEditor } from './layer.js';
import { wizardView } from './wizard.js';
import { registriesView } from './registries.js';
import { macrosView } from './macros.js';
import { verifyPanel, verifyRefusal } from './verify.js';
import { renderPanel } from './render.js';

const PUBLIC_REPO = '5e0000000000000000000001';
const CLOUDS = [
  { id: 'aws', label: 'AWS' },
  { id: 'azure', label: 'Azure' },
  { id: 'vsphere', label: 'VMware vSphere' },
  { id: 'edge-native', label: 'Edge Native' },
];
// The BYOOS pack of each cloud type: offered first for custom images.
const BYOOS = { aws: 'generic-byoi', azure: 'generic-byoi', vsphere: 'generic-byoi', 'edge-native': 'edge-native-byoi' };

const app = document.getElementById('app');
let cleanup = [];
const state = { projects: [], me: null };

// whoami answers the tenant of the key and, when the server lists the key
// (GET /v1/apiKeys lists a key itself), its role and project: views show
// write controls only to keys that may use them. Unknown, the server decides.
async function whoami() {
  if (state.me) return state.me;
  const info = await api.get('/v1/users/info', { project: '' });
  let key = null;
  try {
    const keys = await api.get('/v1/apiKeys', { project: '' });
    key = (keys.items || []).find((k) => k.uid === info.userUid) || null;
  } catch { key = null; }
  state.me = { tenantUid: info.tenantUid, keyUid: info.userUid, role: key ? key.role : '', projectUid: key ? key.projectUid || '' : '' };
  return state.me;
}

function errorText(e) {
  if (e instanceof ApiError && e.status === 401) return 'The API key was not accepted (it is not valid or has been revoked). Sign in again with a valid key.';
  if (e instanceof ApiError && e.status === 403) return 'This API key may not do that: ' + e.message;
  return e.message || String(e);
}

function alertBox(text) { return h('div', { class: 'alert', role: 'alert' }, text); }

function setTitle(t) { document.title = t ? `${t} · byoos` : 'byoos'; }

// --- shell ---

function shell(active) {
  const projSel = h('select', { id: 'project', onchange: () => { session.setProject(projSel.value); route(); } },
    state.projects.map((p) => h('option', { value: p.uid, selected: p.uid === session.project() }, p.name)));
  const nav = [['#/profiles', 'Cluster profiles', 'profiles'], ['#/packs', 'Packs', 'packs'], ['#/registries', 'Registries', 'registries'], ['#/macros', 'Macros', 'macros']];
  const main = h('main', { id: 'main', tabindex: '-1' });
  clear(app).append(
    h('header', { class: 'top' },
      h('a', { class: 'brand', href: '#/profiles' }, 'byoos'),
      h('nav', { 'aria-label': 'Main' }, h('ul', {}, nav.map(([href, label, key]) => h('li', {},
        h('a', { href, 'aria-current': key === active ? 'page' : undefined }, label))))),
      h('div', { class: 'session' },
        h('label', { for: 'project' }, 'Project'), projSel,
        h('button', { type: 'button', id: 'signout', onclick: () => { session.signOut(); state.projects = []; state.me = null; location.hash = '#/signin'; } }, 'Sign out'))),
    main);
  return main;
}

function focusHeading(main) {
  const h1 = main.querySelector('h1');
  if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus({ preventScroll: true }); }
}

// --- sign in ---

function signInView(message) {
  setTitle('Sign in');
  const key = h('input', { type: 'password', id: 'apikey', name: 'apikey', autocomplete: 'off', required: true, spellcheck: 'false' });
  const err = h('div', { id: 'signin-error', 'aria-live': 'assertive' });
  if (message) err.append(alertBox(message));
  const btn = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', {
    class: 'signin',
    onsubmit: async (ev) => {
      ev.preventDefault();
      clear(err);
      const k = key.value.trim();
      if (!k) { err.append(alertBox('Enter an API key.')); key.focus(); return; }
      btn.disabled = true;
      try {
        const list = await api.get('/v1/dashboard/projects/metadata', { key: k, project: '' });
        session.signIn(k);
        state.me = null;
        state.projects = (list.items || []).map((p) => ({ uid: p.metadata.uid, name: p.metadata.name }));
        if (!state.projects.find((p) => p.uid === session.project())) session.setProject(state.projects.length ? state.projects[0].uid : '');
        location.hash = '#/profiles';
      } catch (e) {
        const text = e instanceof ApiError && e.status === 401
          ? `That API key was not accepted: ${e.message}. Check that you copied the whole key (it starts with byoos_); an administrator can create one with POST /v1/apiKeys.`
          : 'Sign-in failed: ' + errorText(e);
        err.append(alertBox(text));
        key.focus();
        key.select();
      } finally { btn.disabled = false; }
    },
  },
  h('h1', {}, 'Sign in to byoos'),
  h('p', {}, 'byoos keeps pack registries and cluster profiles whose OS layer is your own image. Sign in with an API key; it is kept for this browser tab only.'),
  field('API key', key, 'The key stays in this tab\'s session storage and is forgotten when the tab closes.'),
  err, btn);
  clear(app).append(h('main', { id: 'main', class: 'narrow' }, form));
  key.focus();
}

// --- profiles list ---

async function profilesView() {
  setTitle('Cluster profiles');
  const main = shell('profiles');
  const name = h('input', { type: 'search', id: 'q-name', placeholder: 'e.g. rhel', autocomplete: 'off' });
  const cloud = h('select', { id: 'q-cloud' }, h('option', { value: '' }, 'Any'), CLOUDS.map((c) => h('option', { value: c.id }, c.label)));
  const status = h('select', { id: 'q-status' }, h('option', { value: '' }, 'Any'), h('option', { value: 'draft' }, 'Draft'), h('option', { value: 'published' }, 'Published'));
  const tbody = h('tbody', {});
  const count = h('p', { role: 'status', 'aria-live': 'polite', class: 'count' });
  const more = h('button', { type: 'button', hidden: true }, 'Show more');
  const errBox = h('div', {});
  let cont = '';
  let shown = 0;
  let seq = 0;
  const load = async (append) => {
    const my = ++seq;
    const filter = {};
    if (name.value.trim()) filter.profileName = { contains: name.value.trim() };
    if (cloud.value) filter.environment = [cloud.value];
    if (status.value) filter.status = [status.value];
    const q = '?limit=50' + (append && cont ? '&continue=' + encodeURIComponent(cont) : '');
    try {
      const res = await api.post('/v1/dashboard/clusterprofiles' + q, { filter, sort: [{ field: 'profileName', order: 'asc' }] });
      if (my !== seq) return;
      clear(errBox);
      if (!append) { clear(tbody); shown = 0; }
      for (const it of res.items) {
        const s = it.specSummary;
        tbody.append(h('tr', {},
          h('th', { scope: 'row' }, h('a', { href: `#/profiles/${encodeURIComponent(it.metadata.uid)}` }, it.metadata.name)),
          h('td', {}, s.version),
          h('td', {}, s.draft ? s.draft.cloudType : ''),
          h('td', {}, s.draft ? s.draft.type : ''),
          h('td', {}, h('span', { class: `badge ${it.status.status}` }, it.status.status)),
          h('td', { class: 'num' }, String(it.status.warnings)),
          h('td', {}, (it.metadata.lastModifiedTimestamp || '').replace('T', ' ').slice(0, 16))));
      }
      shown += res.items.length;
      cont = res.listmeta.continue;
      more.hidden = !cont;
      count.textContent = shown === 0 ? 'No cluster profiles match.' : `${shown} profile version(s) shown${cont ? '; more are available' : ''}.`;
    } catch (e) {
      clear(errBox).append(alertBox(errorText(e)));
    }
  };
  const reload = debounce(() => load(false), 200);
  name.addEventListener('input', reload);
  cloud.addEventListener('change', () => load(false));
  status.addEventListener('change', () => load(false));
  more.addEventListener('click', () => load(true));
  main.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Cluster profiles'), h('a', { class: 'button primary', href: '#/new', id: 'add-profile' }, 'Add cluster profile')),
    h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter profiles', onsubmit: (e) => { e.preventDefault(); load(false); } },
      field('Name contains', name), field('Cloud type', cloud), field('Status', status)),
    errBox, count,
    h('div', { class: 'table-wrap' }, h('table', { class: 'list', id: 'profiles' },
      h('caption', { class: 'sr-only' }, 'Cluster profiles'),
      h('thead', {}, h('tr', {}, ['Name', 'Version', 'Cloud type', 'Type', 'Status', 'Warnings', 'Last modified'].map((c) => h('th', { scope: 'col' }, c)))),
      tbody)),
    more);
  focusHeading(main);
  await load(false);
}

// --- one profile ---

function profileDoc(p, draft, edits) {
  return {
    metadata: { name: p.metadata.name, resourceVersion: p.metadata.resourceVersion },
    spec: {
      version: p.spec.version,
      template: {
        type: draft.type, cloudType: draft.cloudType,
        packs: draft.packs.map((l, i) => ({
          name: l.name, type: l.type, layer: l.layer, tag: l.tag, uid: l.packUid, registryUid: l.registryUid,
          values: edits && edits[i] !== undefined ? edits[i] : l.values,
        })),
      },
    },
  };
}

const SCOPES = { project: 'Project', tenant: 'Tenant', system: 'System' };

// macrosUsed lists the user macros the profile's layers reference
// (status.macros), where each resolves and its value; one defined nowhere is
// marked with the wording of its finding (macro-unresolved).
function macrosUsed(p) {
  const used = p.status.macros || [];
  const tenantWide = p.metadata.annotations && p.metadata.annotations.scope === 'tenant';
  const intro = h('p', { class: 'help' }, 'Macros are resolved from the profile\'s project, then its tenant',
    tenantWide ? ' (this profile is tenant-wide: it reads its tenant\'s macros only)' : '', '. ', h('a', { href: '#/macros' }, 'Manage macros'), '.');
  if (!used.length) return [intro, h('p', { class: 'none' }, 'The layers use no user macros ({{ .spectro.macro.NAME }}).')];
  const missing = used.filter((m) => !m.defined).length;
  return [intro,
    missing ? h('p', { class: 'warn-text', id: 'macros-missing' }, `Warning: ${missing} macro(s) used but not defined; each renders as an empty string.`) : null,
    h('div', { class: 'table-wrap' }, h('table', { class: 'list macros-used' },
      h('caption', { class: 'sr-only' }, 'Macros used by the layers'),
      h('thead', {}, h('tr', {}, ['Macro', 'Used in', 'Resolves from', 'Value'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, used.map((m) => h('tr', { class: m.defined ? '' : 'macro-undefined', dataset: { macro: m.name, scope: m.scope || '' } },
        h('th', { scope: 'row' }, h('code', {}, m.name)),
        h('td', { class: 'nowrap' }, (m.layers || []).join(', ')),
        h('td', { class: 'macro-scope' }, m.defined ? SCOPES[m.scope] || m.scope : h('span', { class: 'badge undefined' }, '⚠ Not defined')),
        h('td', { class: 'macro-value' }, m.defined ? h('code', {}, m.value)
          : [h('span', { class: 'warn-text' }, `Warning: macro "${m.name}" is not defined at project, tenant or system scope; it renders as an empty string`),
            h('span', { class: 'help block' }, 'Fix: define macro ', h('code', {}, m.name), ' at project or tenant scope (', h('a', { href: '#/macros' }, 'Macros'), ').'),
            h('span', { class: 'code' }, 'macro-unresolved')]))))))];
}

async function profileView(uid) {
  const main = shell('profiles');
  let p;
  let etag;
  try {
    const r = await request('GET', `/v1/clusterprofiles/${encodeURIComponent(uid)}`);
    p = r.data;
    etag = r.etag;
  } catch (e) {
    main.append(h('h1', {}, 'Cluster profile'), alertBox(errorText(e)));
    return;
  }
  setTitle(p.metadata.name);
  const draft = p.spec.draft;
  const published = p.status.isPublished;
  const msg = h('div', { 'aria-live': 'polite', id: 'profile-message' });
  const publishBtn = h('button', {
    type: 'button', class: 'primary', id: 'publish',
    onclick: async () => {
      publishBtn.disabled = true;
      try {
        await request('PATCH', `/v1/clusterprofiles/${encodeURIComponent(uid)}/publish`, undefined, { ifMatch: etag });
        await profileView(uid);
        document.getElementById('profile-message').append(h('p', { class: 'ok', role: 'status' }, 'Published.'));
      } catch (e) { clear(msg).append(alertBox(errorText(e))); publishBtn.disabled = false; }
    },
  }, published ? 'Publish the draft again' : 'Publish');

  const layers = h('div', { class: 'layers' });
  draft.packs.forEach((l, i) => {
    const pre = h('pre', { class: 'values', tabindex: '0', 'aria-label': `Values of ${l.name}` }, l.values || '(no values)');
    const slot = h('div', {});
    const editBtn = h('button', { type: 'button', class: 'edit-layer', onclick: () => openEditor() }, `Edit ${l.name} values`);
    const openEditor = () => {
      editBtn.hidden = true;
      pre.hidden = true;
      let errors = true;
      const save = h('button', { type: 'button', class: 'primary save-layer', disabled: true }, 'Save');
      const note = h('p', { class: 'help save-note' }, 'Checking…');
      const le = layerEditor({
        index: i, name: l.name, tag: l.tag, values: l.values, defaults: l.values, presets: l.presets, schema: l.schema,
        docOf: (idx, text) => profileDoc(p, draft, { [idx]: text }),
        // An edit of this saved profile: masked secrets stand for the stored ones.
        validatePath: `/v1/clusterprofiles/${encodeURIComponent(uid)}/validate`,
        onResult: (mine) => {
          errors = mine.some((f) => f.severity === 'error');
          const warns = mine.filter((f) => f.severity === 'warning').length;
          save.disabled = errors;
          note.textContent = errors ? 'Fix the errors to save.' : warns ? `Saving keeps ${warns} warning(s) shown above.` : 'Ready to save.';
        },
      });
      cleanup.push(() => le.destroy());
      save.addEventListener('click', async () => {
        if (errors) return;
        save.disabled = true;
        try {
          await request('PUT', `/v1/clusterprofiles/${encodeURIComponent(uid)}`, profileDoc(p, draft, { [i]: le.text() }), { ifMatch: etag, fullFindings: true });
          await profileView(uid);
          document.getElementById('profile-message').append(h('p', { class: 'ok', role: 'status' }, `Saved ${l.name}.`));
        } catch (e) {
          const fl = (e.details && e.details.findings) || [];
          clear(msg).append(alertBox(errorText(e)));
          if (fl.length) le.ed.show(fl.filter((f) => f.field === `spec.template.packs[${i}].values`));
          save.disabled = false;
        }
      });
      clear(slot).append(le.el, h('div', { class: 'actions' }, save,
        h('button', { type: 'button', onclick: () => profileView(uid) }, 'Cancel'), note));
      le.check();
      le.ed.view.focus();
    };
    layers.append(h('section', { class: 'layer card', dataset: { layer: l.name } },
      h('h3', {}, `${l.name} `, h('span', { class: 'muted' }, `${l.tag || l.version} · ${l.layer}`)),
      pre, slot, editBtn));
  });

  const verify = verifyPanel({ uid, cloudType: draft.cloudType, errorText, alertBox, onCleanup: (f) => cleanup.push(f) });
  whoami().then((me) => verify.refuse(verifyRefusal(me)), () => {}); // unknown: the server decides
  const rendering = renderPanel({ uid, cloudType: draft.cloudType, errorText, alertBox, onCleanup: (f) => cleanup.push(f) });
  const findings = p.status.findings || [];
  const audits = h('ul', { class: 'audit' }, h('li', {}, 'Loading…'));
  main.append(
    h('div', { class: 'page-head' },
      h('h1', {}, p.metadata.name),
      h('span', { class: `badge ${published ? 'published' : 'draft'}` }, published ? 'published' : 'draft')),
    h('p', { class: 'muted' }, `Version ${p.spec.version} · ${draft.cloudType} · ${draft.type} · revision ${p.metadata.resourceVersion}`),
    msg,
    h('section', { class: 'actions-area', id: 'profile-actions', 'aria-labelledby': 'actions-h' },
      h('h2', { id: 'actions-h' }, 'Actions'),
      h('div', { class: 'actions' }, publishBtn),
      verify.el, rendering.el),
    h('section', { 'aria-labelledby': 'layers-h' }, h('h2', { id: 'layers-h' }, 'Layers (draft)'),
      h('p', { class: 'help' }, 'Secret values are shown as ******** and kept when you save without changing them.'), layers),
    h('section', { id: 'macros-used', 'aria-labelledby': 'macros-used-h' }, h('h2', { id: 'macros-used-h' }, 'Macros used'), macrosUsed(p)),
    h('section', { 'aria-labelledby': 'findings-h' }, h('h2', { id: 'findings-h' }, 'Findings of the last save'),
      findings.length ? h('ul', { class: 'findings' }, findings.map((f) => findingItem(f))) : h('p', {}, 'No warnings.')),
    h('section', { 'aria-labelledby': 'versions-h' }, h('h2', { id: 'versions-h' }, 'Versions'),
      h('ul', {}, (p.spec.versions || []).map((v) => h('li', {}, v.uid === uid ? h('strong', {}, v.version + ' (this one)')
        : h('a', { href: `#/profiles/${encodeURIComponent(v.uid)}` }, v.version))))),
    h('section', { 'aria-labelledby': 'audit-h' }, h('h2', { id: 'audit-h' }, 'History'), audits));
  focusHeading(main);
  try {
    const res = await api.get('/v1/audits?limit=500');
    const mine = (res.items || []).filter((a) => a.uid === uid);
    append(clear(audits), [mine.length ? mine.map((a) => h('li', {}, h('time', { datetime: a.time }, a.time.replace('T', ' ').slice(0, 19)), ' ',
      h('strong', {}, a.action), ' by ', a.actor, a.summary ? ` — ${a.summary}` : '')) : h('li', {}, 'No recorded changes.')]);
  } catch (e) { clear(audits).append(h('li', {}, 'History unavailable: ' + errorText(e))); }
}

// --- packs ---

async function packsOf(layer, cloud) {
  const f = [];
  if (layer) f.push(`spec.layer=${layer}`);
  if (cloud) f.push(`spec.cloudTypes_in_${cloud},all`);
  const res = await api.get('/v1/packs' + (f.length ? '?filters=' + encodeURIComponent(f.join('AND')) : ''));
  const byName = new Map();
  for (const it of res.items || []) {
    const s = it.spec;
    const k = s.name + '/' + s.registryUid;
    if (!byName.has(k)) byName.set(k, { name: s.name, displayName: s.displayName || s.name, layer: s.layer, registryUid: s.registryUid, cloudTypes: s.cloudTypes, versions: [] });
    byName.get(k).versions.push(s.version);
  }
  return [...byName.values()];
}

async function registries() {
  const res = await api.get('/v1/registries/metadata');
  return res.items || [];
}

async function packsView() {
  setTitle('Packs');
  const main = shell('packs');
  const layer = h('select', { id: 'p-layer' }, h('option', { value: '' }, 'Any'), ['os', 'k8s', 'cni', 'csi', 'addon'].map((l) => h('option', { value: l }, l)));
  const cloud = h('select', { id: 'p-cloud' }, h('option', { value: '' }, 'Any'), CLOUDS.map((c) => h('option', { value: c.id }, c.label)));
  const reg = h('select', { id: 'p-reg' }, h('option', { value: '' }, 'Any'));
  const tbody = h('tbody', {});
  const errBox = h('div', {});
  let regs = [];
  const load = async () => {
    try {
      const list = await packsOf(layer.value, cloud.value);
      clear(tbody);
      for (const pk of list.filter((x) => !reg.value || x.registryUid === reg.value)) {
        const r = regs.find((g) => g.uid === pk.registryUid);
        tbody.append(h('tr', {},
          h('th', { scope: 'row' }, h('a', { href: `#/packs/${encodeURIComponent(pk.registryUid)}/${encodeURIComponent(pk.name)}` }, pk.displayName)),
          h('td', {}, h('code', {}, pk.name)), h('td', {}, pk.layer), h('td', {}, (pk.cloudTypes || []).join(', ')),
          h('td', {}, pk.versions.join(', ')), h('td', {}, r ? r.name : pk.registryUid)));
      }
      if (!tbody.firstChild) tbody.append(h('tr', {}, h('td', { colspan: 6 }, 'No packs match.')));
    } catch (e) { clear(errBox).append(alertBox(errorText(e))); }
  };
  [layer, cloud, reg].forEach((s) => s.addEventListener('change', load));
  main.append(h('h1', {}, 'Packs'),
    h('form', { class: 'filters', 'aria-label': 'Filter packs', onsubmit: (e) => e.preventDefault() }, field('Layer', layer), field('Cloud type', cloud), field('Registry', reg)),
    errBox,
    h('div', { class: 'table-wrap' }, h('table', { class: 'list', id: 'packs' },
      h('thead', {}, h('tr', {}, ['Pack', 'Name', 'Layer', 'Cloud types', 'Versions', 'Registry'].map((c) => h('th', { scope: 'col' }, c)))), tbody)));
  focusHeading(main);
  try {
    regs = await registries();
    regs.forEach((g) => reg.append(h('option', { value: g.uid }, g.name)));
  } catch (e) { errBox.append(alertBox(errorText(e))); }
  await load();
}

async function packTags(name, registryUid) {
  return api.get(`/v1/packs/${encodeURIComponent(name)}/registries/${encodeURIComponent(registryUid)}`);
}

function schemaTable(schema) {
  if (!schema || !schema.length) return h('p', {}, 'This pack version has no schema.');
  return h('div', { class: 'table-wrap' }, h('table', { class: 'list schema' },
    h('thead', {}, h('tr', {}, ['Value', 'Format', 'Required', 'Secret', 'Hints'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, schema.map((s) => h('tr', {},
      h('th', { scope: 'row' }, h('code', {}, s.name)), h('td', {}, h('code', {}, s.format || s.type)),
      h('td', {}, s.required ? 'yes' : 'no'), h('td', {}, /password|secret/i.test(s.format || '') ? 'yes' : 'no'),
      h('td', {}, (s.hints || []).join(' ')))))));
}

async function packView(registryUid, name) {
  const main = shell('packs');
  let t;
  try { t = await packTags(name, registryUid); } catch (e) { main.append(h('h1', {}, name), alertBox(errorText(e))); return; }
  setTitle(t.displayName || name);
  const exact = t.tags.filter((x) => x.parentTags && x.parentTags.length || x.tag === x.version);
  const versions = [...new Set(exact.map((x) => x.version))];
  const sel = h('select', { id: 'pack-version' }, versions.map((v) => h('option', { value: v }, v)));
  const body = h('div', {});
  const show = () => {
    const tag = t.tags.find((x) => x.version === sel.value);
    const pv = t.packValues.find((x) => x.packUid === tag.packUid) || {};
    clear(body).append(
      h('p', { class: 'muted' }, 'Tags: ', t.tags.filter((x) => x.version === sel.value).map((x) => x.tag).join(', ')),
      h('section', { 'aria-labelledby': 'readme-h' }, h('h2', { id: 'readme-h' }, 'README'), markdown(pv.readme || 'No README.')),
      h('section', { 'aria-labelledby': 'values-h' }, h('h2', { id: 'values-h' }, 'Default values'), h('pre', { class: 'values', tabindex: '0' }, pv.values || '')),
      h('section', { 'aria-labelledby': 'schema-h' }, h('h2', { id: 'schema-h' }, 'Schema'), schemaTable(pv.schema)),
      h('section', { 'aria-labelledby': 'presets-h' }, h('h2', { id: 'presets-h' }, 'Presets'),
        pv.presets && pv.presets.length ? h('ul', {}, pv.presets.map((p) => h('li', {}, p.displayName || p.name))) : h('p', {}, 'None.')));
  };
  sel.addEventListener('change', show);
  main.append(h('h1', {}, t.displayName || name), h('p', { class: 'muted' }, h('code', {}, name), ` · ${t.layer} · ${(t.cloudTypes || []).join(', ')}`),
    field('Version', sel), body);
  show();
  focusHeading(main);
}

// --- router ---

async function route() {
  cleanup.forEach((f) => f());
  cleanup = [];
  const hash = location.hash || '#/profiles';
  if (!session.key()) { if (hash !== '#/signin') location.hash = '#/signin'; signInView(); return; }
  if (hash === '#/signin') { location.hash = '#/profiles'; return; }
  try {
    if (!state.projects.length) {
      const list = await api.get('/v1/dashboard/projects/metadata', { project: '' });
      state.projects = (list.items || []).map((p) => ({ uid: p.metadata.uid, name: p.metadata.name }));
      if (!state.projects.find((p) => p.uid === session.project())) session.setProject(state.projects.length ? state.projects[0].uid : '');
    }
    const parts = hash.slice(2).split('/').map(decodeURIComponent);
    switch (parts[0]) {
      case 'profiles': if (parts[1]) await loadEditor(); return parts[1] ? profileView(parts[1]) : profilesView();
      case 'new': await loadEditor(); return wizardView(shell('profiles'), { cleanup, setTitle, focusHeading, alertBox, errorText, packsOf, packTags, CLOUDS, BYOOS, PUBLIC_REPO });
      case 'packs': return parts[2] ? packView(parts[1], parts[2]) : packsView();
      case 'registries': return registriesView(shell('registries'), { setTitle, focusHeading, alertBox, errorText });
      case 'macros': {
        const project = state.projects.find((p) => p.uid === session.project());
        return macrosView(shell('macros'), { setTitle, focusHeading, alertBox, errorText, whoami, projectUid: session.project(), projectName: project ? project.name : '' });
      }
      default: location.hash = '#/profiles';
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { session.signOut(); state.projects = []; state.me = null; signInView(errorText(e)); return; }
    const main = document.getElementById('main') || shell('');
    main.append(alertBox(errorText(e)));
  }
  return undefined;
}

window.addEventListener('hashchange', route);
route().then(() => { if (session.key()) loadEditor().catch(() => {}); }); // fetch the editor while the person reads
