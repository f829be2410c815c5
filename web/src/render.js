// Render on a profile's page: POST /v1/clusterprofiles/{uid}/render turns
// the profile (its published version, or the draft of a profile never
// published) into what boots the machines: Cluster API machine templates,
// Edge user-data, or the profile itself with every macro resolved. The
// output is what `byoos render` prints, with a Copy button; an Azure
// profile's ARM template of the managed image comes in a second block. The
// page never asks for secrets: they stay masked (********).
import { h, clear, field, append } from './dom.js';
import { request, ApiError } from './api.js';
import { findingItem } from './layer.js';

// TARGETS lists the targets of each cloud, the first the default.
const TARGETS = {
  aws: ['capi', 'values'],
  azure: ['capi', 'values'],
  vsphere: ['capi', 'values'],
  'edge-native': ['edge-user-data', 'values'],
};
const TARGET_LABELS = {
  capi: 'Cluster API machine templates (capi)',
  'edge-user-data': 'Edge installer user-data (edge-user-data)',
  values: 'The profile, macros resolved (values)',
};

// FIELDS are the context keys the page asks for, by cloud and target; req
// marks those the target cannot do without.
function fieldsOf(cloud, target) {
  if (target === 'edge-user-data') return [];
  if (target === 'values') {
    return [
      { key: 'cluster', label: 'Cluster name', help: 'Sets the macro cluster.name, if the layers use it.' },
      { key: 'region', label: 'Region', help: 'Sets the macro cloud.region, if the layers use it.' },
    ];
  }
  const f = [
    { key: 'cluster', label: 'Cluster name (required)', req: true, help: 'The Cluster API cluster the machine templates belong to.' },
    { key: 'namespace', label: 'Namespace', placeholder: 'default', help: 'The Kubernetes namespace of the machine templates.' },
  ];
  if (cloud === 'aws') f.push({ key: 'region', label: 'Region', placeholder: 'e.g. us-east-1', help: 'Sets the macro cloud.region.' });
  if (cloud === 'azure') {
    f.push({ key: 'region', label: 'Location (required)', req: true, placeholder: 'e.g. westeurope', help: 'The Azure location of the managed image.' },
      { key: 'azure.subscriptionID', label: 'Subscription ID (required)', req: true, help: 'The subscription the managed image goes in.' },
      { key: 'azure.resourceGroup', label: 'Resource group (required)', req: true, help: 'The resource group the managed image goes in.' });
  }
  if (cloud === 'vsphere') f.push({ key: 'vsphere.network', label: 'Network (required)', req: true, placeholder: 'e.g. VM Network', help: 'The port group of the VMs\' NIC.' });
  return f;
}

// idOf is the input id of a context key.
function idOf(key) { return 'render-ctx-' + key.replace(/\./g, '-'); }

// parseExtra reads "key=value" lines; it returns the pairs or the first bad line.
function parseExtra(text) {
  const out = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const l = lines[i].trim();
    if (!l || l.startsWith('#')) continue;
    const eq = l.indexOf('=');
    if (eq <= 0) return { error: `Other context keys, line ${i + 1}: "${l}" is not KEY=VALUE (e.g. aws.instanceType=m6i.large).` };
    out[l.slice(0, eq).trim()] = l.slice(eq + 1).trim();
  }
  return { pairs: out };
}

// copyBlock is a titled <pre> with a Copy button that puts its text on the
// clipboard and says so in a live region.
function copyBlock(id, title, text, note) {
  const pre = h('pre', { class: 'values render-text', id, tabindex: '0', 'aria-labelledby': id + '-h' }, text);
  const said = h('span', { class: 'help copy-status', id: id + '-copied', role: 'status', 'aria-live': 'polite' });
  const btn = h('button', {
    type: 'button', id: id + '-copy', 'aria-describedby': id + '-h',
    onclick: async () => {
      delete btn.dataset.copied;
      try {
        if (!navigator.clipboard) throw new Error('the clipboard is not available here');
        await navigator.clipboard.writeText(text);
        btn.dataset.copied = 'true';
        said.textContent = 'Copied.';
      } catch (e) {
        btn.dataset.copied = 'false';
        said.textContent = `Copy failed (${e.message || e}): select the text and copy it.`;
      }
    },
  }, 'Copy');
  return h('div', { class: 'render-block' },
    h('div', { class: 'render-block-head' }, h('h4', { id: id + '-h' }, title), btn, said),
    note ? h('p', { class: 'help' }, note) : null, pre);
}

// renderPanel builds the render form and its output for profile uid of
// cloudType. onCleanup registers what to do when the page goes away.
export function renderPanel({ uid, cloudType, errorText, alertBox, onCleanup }) {
  const targets = TARGETS[cloudType] || ['values'];
  const target = h('select', { id: 'render-target', name: 'target' }, targets.map((t) => h('option', { value: t }, TARGET_LABELS[t] || t)));
  const inputs = h('div', { class: 'row', id: 'render-inputs' });
  const extra = h('textarea', { id: 'render-extra', name: 'extra', rows: 2, spellcheck: 'false', placeholder: 'aws.instanceType=m6i.large' });
  const btn = h('button', { type: 'submit', class: 'primary', id: 'render' }, 'Render');
  const status = h('div', { id: 'render-status', role: 'status', 'aria-live': 'polite' });
  const out = h('div', { id: 'render-output-area' });
  let controls = {};
  let inflight = null;
  onCleanup(() => { if (inflight) inflight.abort(); });

  const showInputs = () => {
    const keep = {};
    for (const [k, c] of Object.entries(controls)) keep[k] = c.value;
    controls = {};
    append(clear(inputs), fieldsOf(cloudType, target.value).map((f) => {
      const c = h('input', { type: 'text', id: idOf(f.key), name: f.key, autocomplete: 'off', spellcheck: 'false', required: !!f.req, placeholder: f.placeholder || '', value: keep[f.key] || '' });
      c.dataset.key = f.key;
      controls[f.key] = c;
      return field(f.label, c, f.help);
    }));
  };
  target.addEventListener('change', showInputs);
  showInputs();

  // markKey marks the input of a context key the server named, and focuses it.
  const markKey = (message) => {
    const m = /set context key ([A-Za-z.]+)/.exec(message || '') || /^context: "?([A-Za-z.]+)"? /.exec(message || '') || /^([A-Za-z.]+) is not set/.exec(message || '');
    const c = m && controls[m[1]];
    if (c) { c.setAttribute('aria-invalid', 'true'); c.focus(); }
  };

  const show = (r) => {
    const docs = r.documents || [];
    const which = r.rendered === 'published' ? 'the published version' : 'the draft (the profile was never published)';
    const findings = (r.findings || []).filter((f) => f.severity !== 'info');
    clear(status).append(h('p', { class: 'ok', id: 'render-summary' },
      `Rendered ${which} to ${r.target}: ${docs.length} document(s). Secrets are masked (********).`));
    const main = r.armTemplate ? 'AzureMachineTemplate (kubectl apply -f -, after the image exists)' : r.target === 'edge-user-data' ? 'User-data (#cloud-config)' : r.target === 'values' ? 'The profile, resolved' : 'Machine templates (kubectl apply -f -)';
    append(clear(out), [
      r.armTemplate ? copyBlock('render-arm', 'ARM template of the managed image (deploy it first)', r.armTemplate,
        'CAPZ cannot boot a VHD URL: deploy this template (az deployment group create --resource-group RG --template-file FILE) to make the managed image the AzureMachineTemplate names.') : null,
      copyBlock('render-stream', main, r.stream || ''),
      findings.length ? h('ul', { class: 'findings', id: 'render-findings' }, findings.map((f) => findingItem(f, null, { layer: true }))) : null]);
  };

  const form = h('form', {
    class: 'render-form', id: 'render-form', 'aria-labelledby': 'render-h', novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      const ctx = {};
      const ex = parseExtra(extra.value);
      if (ex.error) { clear(status).append(alertBox(ex.error)); extra.focus(); return; }
      Object.assign(ctx, ex.pairs);
      for (const [k, c] of Object.entries(controls)) {
        c.removeAttribute('aria-invalid');
        if (c.value.trim()) ctx[k] = c.value.trim();
      }
      if (inflight) inflight.abort();
      inflight = new AbortController();
      btn.disabled = true;
      btn.textContent = 'Rendering…';
      out.setAttribute('aria-busy', 'true');
      clear(status).append(h('p', { class: 'help' }, 'Rendering…'));
      try {
        const { data } = await request('POST', `/v1/clusterprofiles/${encodeURIComponent(uid)}/render`, { target: target.value, context: ctx }, { signal: inflight.signal });
        show(data || {});
      } catch (e) {
        if (e.name === 'AbortError') return;
        clear(out);
        const fl = (e instanceof ApiError && e.details && e.details.findings) || [];
        const text = e instanceof ApiError && e.status === 0 ? 'Render failed: ' + e.message + '. Check your connection and try again.' : 'Render failed: ' + errorText(e);
        clear(status).append(alertBox(text));
        if (fl.length) out.append(h('ul', { class: 'findings', id: 'render-findings' }, fl.map((f) => findingItem(f, null, { layer: true }))));
        markKey(e.message);
      } finally {
        inflight = null;
        btn.textContent = 'Render';
        btn.disabled = false;
        out.removeAttribute('aria-busy');
      }
    },
  },
  h('h3', { id: 'render-h' }, 'Render'),
  h('p', { class: 'help' }, 'Turns the profile (the published version, or the draft of a profile never published) into what boots the machines, as byoos render does. Secrets stay masked.'),
  h('div', { class: 'row' }, field('Target', target)),
  inputs,
  field('Other context keys', extra, 'Optional, one KEY=VALUE a line: any key of byoos render --param (aws.instanceType, vsphere.datastore, ...).'),
  h('div', { class: 'actions' }, btn), status, out);
  return { el: form };
}
