// The create-profile wizard, as on the product pages: basic information →
// type and cloud type → OS layer (the BYOOS pack first) → K8s, CNI and CSI
// layers → review → create (and publish).
import { h, clear, field, append } from './dom.js';
import { api, request } from './api.js';
import { layerEditor, findingItem } from './layer.js';

const STEPS = ['Basic information', 'Type and cloud', 'OS layer', 'Kubernetes, network and storage', 'Review'];
const KINDS = [
  { key: 'os', label: 'Operating system' },
  { key: 'k8s', label: 'Kubernetes' },
  { key: 'cni', label: 'Network (CNI)' },
  { key: 'csi', label: 'Storage (CSI)' },
];
const DNS = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

// tagOrder puts floating tags (1.0.x) of the newest versions first.
function choices(t) {
  const floating = t.tags.filter((x) => /^\d+\.\d+\.x$/.test(x.tag));
  const exact = t.tags.filter((x) => x.tag === x.version);
  return [...floating, ...exact];
}

function labelsOf(tags) {
  const out = {};
  for (const raw of tags.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [k, ...v] = raw.split(':');
    out[k.trim()] = v.length ? v.join(':').trim() : 'spectro__tag';
  }
  return out;
}

export function wizardView(main, ctx) {
  const { cleanup, setTitle, focusHeading, alertBox, errorText, packsOf, packTags, CLOUDS, BYOOS } = ctx;
  setTitle('Add cluster profile');
  const w = { step: 0, name: '', version: '1.0.0', description: '', tags: '', type: 'cluster', cloud: 'aws', layers: {} };
  const tagCache = new Map();
  let editors = [];
  const killEditors = () => { editors.forEach((e) => e.destroy()); editors = []; };
  cleanup.push(killEditors);

  const stepList = h('ol', { class: 'steps', 'aria-label': 'Steps' });
  const body = h('div', { class: 'step-body' });
  main.append(h('h1', {}, 'Add cluster profile'), stepList, body);

  const tags = async (name, reg) => {
    const k = name + '/' + reg;
    if (!tagCache.has(k)) tagCache.set(k, await packTags(name, reg));
    return tagCache.get(k);
  };
  const chosen = () => KINDS.map((k) => w.layers[k.key]).filter(Boolean);
  const docOf = (layers, replaceAt, text) => ({
    metadata: { name: w.name || 'draft', labels: labelsOf(w.tags), annotations: w.description ? { description: w.description } : undefined },
    spec: {
      version: w.version,
      template: {
        type: w.type, cloudType: w.cloud,
        packs: layers.map((l, i) => ({ name: l.name, type: 'spectro', tag: l.tag, registryUid: l.registryUid, values: i === replaceAt ? text : l.values })),
      },
    },
  });

  // setPack loads a pack version's defaults into layer kind.
  const setPack = async (kind, name, reg, tag) => {
    const t = await tags(name, reg);
    const list = choices(t);
    const c = list.find((x) => x.tag === tag) || list[0];
    const pv = t.packValues.find((x) => x.packUid === c.packUid) || { values: '' };
    w.layers[kind] = { kind, name, registryUid: reg, tag: c.tag, version: c.version, values: pv.values || '', defaults: pv.values || '',
      presets: pv.presets || [], schema: pv.schema || [], displayName: t.displayName || name, readme: pv.readme };
  };

  // layerSection is the pack, version and values chooser of one layer.
  const layerSection = async (kind, label, options, optional) => {
    const sec = h('fieldset', { class: 'layer-pick', dataset: { kind } }, h('legend', {}, label));
    const current = w.layers[kind];
    const byoos = BYOOS[w.cloud];
    const sorted = [...options].sort((a, b) => (b.name === byoos) - (a.name === byoos) || a.displayName.localeCompare(b.displayName));
    const packSel = h('select', { id: `pack-${kind}`, name: `pack-${kind}` },
      optional ? h('option', { value: '' }, 'None') : null,
      sorted.map((o) => h('option', { value: o.name + '|' + o.registryUid, selected: current && current.name === o.name },
        kind === 'os' && o.name === byoos ? `${o.displayName} — for your own OS image` : o.displayName)));
    const verSel = h('select', { id: `version-${kind}`, name: `version-${kind}` });
    const slot = h('div', {});
    const fill = async () => {
      const l = w.layers[kind];
      clear(verSel);
      clear(slot);
      editors = editors.filter((e) => { if (e.kind === kind) { e.destroy(); return false; } return true; });
      if (!l) { verSel.disabled = true; return; }
      verSel.disabled = false;
      const t = await tags(l.name, l.registryUid);
      for (const c of choices(t)) verSel.append(h('option', { value: c.tag, selected: c.tag === l.tag }, c.tag === c.version ? c.tag : `${c.tag} (now ${c.version})`));
      const idx = () => chosen().indexOf(w.layers[kind]);
      const le = layerEditor({
        index: idx(), name: l.name, tag: l.tag, values: l.values, defaults: l.defaults, presets: l.presets, schema: l.schema,
        docOf: (_, text) => docOf(chosen(), idx(), text),
        onText: (text) => { l.values = text; },
      });
      le.kind = kind;
      editors.push(le);
      slot.append(le.el);
      le.check();
    };
    packSel.addEventListener('change', async () => {
      if (!packSel.value) delete w.layers[kind];
      else { const [n, r] = packSel.value.split('|'); await setPack(kind, n, r); }
      await fill();
    });
    verSel.addEventListener('change', async () => {
      const l = w.layers[kind];
      await setPack(kind, l.name, l.registryUid, verSel.value);
      await fill();
    });
    if (!current && !optional && sorted.length) await setPack(kind, sorted[0].name, sorted[0].registryUid);
    if (!current && optional && sorted.length && kind === 'csi') await setPack(kind, sorted[0].name, sorted[0].registryUid);
    if (w.layers[kind]) packSel.value = w.layers[kind].name + '|' + w.layers[kind].registryUid;
    sec.append(h('div', { class: 'row' }, field('Pack', packSel), field('Version', verSel,
      kind === 'os' ? 'A 1.0.x tag follows the newest 1.0 patch release.' : null)), slot);
    await fill();
    return sec;
  };

  const nav = (onNext, nextLabel) => {
    const err = h('div', { 'aria-live': 'assertive', class: 'step-error' });
    const back = w.step > 0 ? h('button', { type: 'button', id: 'back', onclick: () => go(w.step - 1) }, 'Back') : null;
    const next = h('button', { type: 'submit', class: 'primary', id: 'next' }, nextLabel || 'Next');
    return { err, next, el: h('div', { class: 'wizard-nav' }, err, h('div', { class: 'actions' }, back, next)), onNext };
  };

  const checkEditors = async (err) => {
    await Promise.all(editors.map((e) => e.check()));
    const bad = editors.find((e) => e.hasErrors());
    if (bad) {
      clear(err).append(alertBox(`Fix the errors in ${bad.el.dataset.layer} before going on; each is listed under its editor with its line and fix.`));
      const first = bad.el.querySelector('.finding-error button');
      if (first) first.focus();
      return false;
    }
    return true;
  };

  const render = async () => {
    killEditors();
    append(clear(stepList), STEPS.map((s, i) => h('li', { 'aria-current': i === w.step ? 'step' : undefined, class: i < w.step ? 'done' : '' },
      h('span', { class: 'num' }, String(i + 1)), ' ', s)));
    const form = h('form', { class: 'step', novalidate: true, 'aria-labelledby': 'step-h' });
    const heading = h('h2', { id: 'step-h', tabindex: '-1' }, `Step ${w.step + 1} of ${STEPS.length}: ${STEPS[w.step]}`);
    form.append(heading);
    let n;
    if (w.step === 0) {
      const name = h('input', { type: 'text', id: 'name', value: w.name, required: true, autocomplete: 'off', maxlength: 63 });
      const version = h('input', { type: 'text', id: 'version', value: w.version, required: true });
      const desc = h('textarea', { id: 'description', rows: 2 }, w.description);
      const tagsIn = h('input', { type: 'text', id: 'tags', value: w.tags, placeholder: 'env:dev, byoos' });
      form.append(field('Name', name, 'Lower-case letters, digits and dashes, at most 63 characters.'),
        field('Version', version, 'Semantic version, e.g. 1.0.0.'), field('Description', desc), field('Tags', tagsIn, 'Comma-separated; key:value becomes a label.'));
      n = nav(async (err) => {
        w.name = name.value.trim(); w.version = version.value.trim(); w.description = desc.value.trim(); w.tags = tagsIn.value;
        if (!DNS.test(w.name)) { clear(err).append(alertBox('Name: use lower-case letters, digits and dashes (a DNS label), starting and ending with a letter or digit.')); name.focus(); return false; }
        if (!/^\d+\.\d+\.\d+$/.test(w.version)) { clear(err).append(alertBox('Version: give a semantic version such as 1.0.0.')); version.focus(); return false; }
        return true;
      });
    } else if (w.step === 1) {
      const types = [['cluster', 'Full', 'OS, Kubernetes, network and storage layers, and add-ons'], ['infra', 'Infrastructure', 'OS, Kubernetes, network and storage layers']];
      form.append(h('fieldset', {}, h('legend', {}, 'Profile type'), types.map(([v, l, d]) => h('div', { class: 'radio' },
        h('input', { type: 'radio', name: 'ptype', id: `type-${v}`, value: v, checked: w.type === v }), h('label', { for: `type-${v}` }, l, h('span', { class: 'help' }, ` — ${d}`))))));
      form.append(h('fieldset', {}, h('legend', {}, 'Cloud type'), CLOUDS.map((c) => h('div', { class: 'radio' },
        h('input', { type: 'radio', name: 'cloud', id: `cloud-${c.id}`, value: c.id, checked: w.cloud === c.id }), h('label', { for: `cloud-${c.id}` }, c.label)))));
      n = nav(async () => {
        const t = form.querySelector('input[name=ptype]:checked').value;
        const c = form.querySelector('input[name=cloud]:checked').value;
        if (c !== w.cloud) w.layers = {};
        w.type = t; w.cloud = c;
        return true;
      });
    } else if (w.step === 2) {
      const opts = await packsOf('os', w.cloud);
      form.append(h('p', {}, 'Bring your own OS: the BYOOS pack points the cluster at your custom image. Fill in its parameters below; the server checks them as you type.'));
      form.append(await layerSection('os', 'OS layer', opts, false));
      n = nav(async (err) => checkEditors(err));
    } else if (w.step === 3) {
      for (const [kind, label, optional] of [['k8s', 'Kubernetes layer', false], ['cni', 'Network layer (CNI)', false], ['csi', 'Storage layer (CSI)', true]]) {
        const opts = await packsOf(kind, w.cloud);
        form.append(await layerSection(kind, label, opts, optional));
      }
      n = nav(async (err) => checkEditors(err));
    } else {
      const layers = chosen();
      const doc = docOf(layers, -1, '');
      const summary = h('dl', { class: 'review' },
        h('dt', {}, 'Name'), h('dd', {}, w.name), h('dt', {}, 'Version'), h('dd', {}, w.version),
        h('dt', {}, 'Type'), h('dd', {}, w.type), h('dt', {}, 'Cloud type'), h('dd', {}, w.cloud),
        w.description ? [h('dt', {}, 'Description'), h('dd', {}, w.description)] : null,
        Object.keys(labelsOf(w.tags)).length ? [h('dt', {}, 'Tags'), h('dd', {}, w.tags)] : null);
      const table = h('table', { class: 'list' }, h('thead', {}, h('tr', {}, ['Layer', 'Pack', 'Version'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, layers.map((l) => h('tr', {}, h('td', {}, l.kind), h('th', { scope: 'row' }, l.displayName), h('td', {}, l.tag)))));
      const checks = h('div', { 'aria-live': 'polite' }, h('p', {}, 'Checking the whole profile…'));
      const publish = h('input', { type: 'checkbox', id: 'publish-now', checked: true });
      form.append(summary, h('div', { class: 'table-wrap' }, table), h('h3', {}, 'Checks'), checks,
        h('div', { class: 'field check' }, publish, h('label', { for: 'publish-now' }, 'Publish the profile when it is created')));
      let errors = true;
      n = nav(async (err) => {
        if (errors) { clear(err).append(alertBox('The profile has errors: go back and fix them.')); return false; }
        try {
          const path = publish.checked ? '/v1/clusterprofiles/import?publish=true' : '/v1/clusterprofiles';
          const { data } = await request('POST', path, doc, { fullFindings: true });
          location.hash = `#/profiles/${encodeURIComponent(data.uid)}`;
        } catch (e) {
          clear(err).append(alertBox(errorText(e)));
          const fl = (e.details && e.details.findings) || [];
          if (fl.length) err.append(h('ul', { class: 'findings' }, fl.map((f) => findingItem(f))));
        }
        return false;
      }, 'Create profile');
      n.next.disabled = true;
      api.post('/v1/clusterprofiles/validate', doc).then((v) => {
        const fl = v.findings || [];
        errors = fl.some((f) => f.severity === 'error');
        clear(checks).append(fl.length ? h('ul', { class: 'findings' }, fl.map((f) => {
          const i = (f.field || '').match(/packs\[(\d+)\]/);
          const li = findingItem(f);
          if (i && layers[+i[1]]) li.prepend(h('strong', {}, layers[+i[1]].name + ': '));
          return li;
        })) : h('p', { class: 'ok' }, 'No problems found.'));
        if (!errors && fl.length) checks.append(h('p', { class: 'help' }, 'The profile can be created with these warnings.'));
        n.next.disabled = errors;
      }).catch((e) => { clear(checks).append(alertBox(errorText(e))); });
    }
    form.append(n.el);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      n.next.disabled = true;
      try {
        if (await n.onNext(n.err)) go(w.step + 1);
      } finally { if (document.body.contains(n.next) && !(w.step === 4 && n.next.dataset.keep)) n.next.disabled = false; }
    });
    clear(body).append(form);
    heading.focus();
  };
  const go = (i) => { w.step = i; render().catch((e) => clear(body).append(alertBox(errorText(e)))); };
  go(0);
  focusHeading(main);
}
