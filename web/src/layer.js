// The pack editor of one layer: the values in a YAML editor, presets,
// macro insertion, and live validation through the server (debounced), each
// finding at its line and in a summary list that jumps to it.
import { h, clear, field, debounce, uid } from './dom.js';
import { request } from './api.js';

// The editor (CodeMirror, most of the UI's code) is a chunk of its own,
// loaded once a view needs it, so that signing in and lists start fast.
let createEditor = null;

// loadEditor loads the editor chunk (once); views that build layer editors
// await it first.
export async function loadEditor() {
  if (!createEditor) ({ createEditor } = await import('./editor.js'));
}

// System macros Palette defines (macro.SystemKeys on the server).
const SYSTEM = ['cluster.name', 'cluster.uid', 'clusterprofile.name', 'clusterprofile.uid', 'clusterprofile.version', 'project.name', 'project.uid',
  'tenant.uid', 'user.name', 'user.email', 'cloud.type', 'cloud.region', 'cloudaccount.name', 'kubernetes.version'];

// DEBOUNCE is the pause after typing before the server checks the values.
export const DEBOUNCE_MS = 40;

// findingsOf returns the findings of layer i of a validation answer.
export function findingsOf(findings, i, name) {
  const field = `spec.template.packs[${i}].values`;
  return (findings || []).filter((f) => f.field === field || (f.layer === name && (f.field || '').startsWith(`spec.template.packs[${i}]`)));
}

// findingItem renders a finding: severity, where (line and column, else its
// path), its path, message, fix and code. With opts.layer the finding's layer
// leads where it is (a profile's findings, whose lines count in that layer's
// values); onJump makes it a button that goes to the line.
export function findingItem(f, onJump, opts = {}) {
  const line = f.line ? `line ${f.line}${f.column ? `, column ${f.column}` : ''}` : '';
  const inLayer = !!(opts.layer && f.layer);
  let where = line ? line[0].toUpperCase() + line.slice(1) : (f.path || f.field || 'Profile');
  if (inLayer) where = line ? `${f.layer}, ${line}` : f.layer;
  const body = [
    h('span', { class: `sev sev-${f.severity}` }, f.severity === 'error' ? 'Error' : f.severity === 'warning' ? 'Warning' : 'Note'),
    ' ', h('span', { class: 'where' }, where), f.path && (f.line || inLayer) ? h('span', { class: 'path' }, ` (${f.path})`) : null, ': ',
    h('span', { class: 'msg' }, f.message),
    f.hint ? h('span', { class: 'hint' }, h('strong', {}, 'Fix: '), f.hint) : null,
    h('span', { class: 'code' }, f.code),
  ];
  if (onJump && f.line) {
    return h('li', { class: `finding finding-${f.severity}`, dataset: { line: f.line } },
      h('button', { type: 'button', class: 'linklike jump', onclick: () => onJump(f), 'aria-label': `${where}: ${f.message}. Go to the line.` }, body));
  }
  return h('li', { class: `finding finding-${f.severity}` }, body);
}

// layerEditor builds the editor of layer index of the document docOf()
// returns; onResult(findings of this layer, all findings) follows each check.
// validatePath is the endpoint that checks the document: a new profile's by
// default, or a saved profile's edit (where masks stand for its secrets).
export function layerEditor({ index, name, tag, values, defaults, presets, schema, docOf, onResult, onText, label, validatePath = '/v1/clusterprofiles/validate' }) {
  let text = values;
  let seq = 0;
  let inflight = null;
  let lastEdit = 0;
  const status = h('p', { class: 'check-status', role: 'status', 'aria-live': 'polite' }, 'Not checked yet.');
  const list = h('ul', { class: 'findings', 'aria-label': `Findings of ${name}` });
  const host = h('div', { class: 'editor-host' });
  const metrics = { lastFeedbackMs: null };

  const check = async () => {
    const my = ++seq;
    if (inflight) inflight.abort();
    inflight = new AbortController();
    const doc = docOf(index, text);
    status.textContent = 'Checking…';
    try {
      const { data } = await request('POST', validatePath, doc, { signal: inflight.signal });
      if (my !== seq) return;
      const mine = findingsOf(data.findings, index, name);
      ed.show(mine);
      clear(list);
      for (const f of mine) list.append(findingItem(f, (x) => ed.gotoLine(x.line, x.column)));
      const errs = mine.filter((f) => f.severity === 'error').length;
      const warns = mine.filter((f) => f.severity === 'warning').length;
      status.textContent = errs + warns === 0 ? `No problems in ${name}.` : `${errs} error(s), ${warns} warning(s) in ${name}.`;
      status.className = 'check-status ' + (errs ? 'has-errors' : warns ? 'has-warnings' : 'ok');
      if (lastEdit) {
        metrics.lastFeedbackMs = performance.now() - lastEdit;
        host.dataset.feedbackMs = metrics.lastFeedbackMs.toFixed(1);
      }
      host.dataset.checked = String(my);
      if (!later.pending()) delete host.dataset.pending;
      onResult && onResult(mine, data.findings || []);
    } catch (e) {
      if (e.name === 'AbortError') return;
      status.textContent = 'The check failed: ' + e.message;
      status.className = 'check-status has-errors';
    }
  };
  const later = debounce(check, DEBOUNCE_MS);
  const ed = createEditor(host, {
    doc: values,
    label: label || `Values of ${name} ${tag} (YAML)`,
    onChange: (t) => { text = t; lastEdit = performance.now(); host.dataset.pending = '1'; onText && onText(t); later(); },
  });

  const tools = [];
  tools.push(h('button', { type: 'button', onclick: () => ed.setText(defaults) }, 'Reset to the pack defaults'));
  if (presets && presets.length) {
    const sel = h('select', {}, presets.map((p) => h('option', { value: p.name }, p.displayName || p.name)));
    tools.push(field('Preset', sel), h('button', {
      type: 'button',
      onclick: () => {
        const p = presets.find((x) => x.name === sel.value);
        if (p && p.add) ed.setText(ed.text().replace(/\s*$/, '\n') + p.add);
      },
    }, 'Apply preset'));
  }
  const kind = h('select', {},
    h('option', { value: 'system' }, 'System macro (.spectro.system)'),
    h('option', { value: 'var' }, 'Profile variable (.spectro.var)'),
    h('option', { value: 'macro' }, 'User macro (.spectro.macro)'));
  const sys = h('select', {}, SYSTEM.map((k) => h('option', { value: k }, k)));
  const nameIn = h('input', { type: 'text', placeholder: 'name', pattern: '[A-Za-z0-9_.-]+', size: 12 });
  const sysField = field('System key', sys);
  const nameField = field('Name', nameIn);
  nameField.hidden = true;
  kind.addEventListener('change', () => { sysField.hidden = kind.value !== 'system'; nameField.hidden = kind.value === 'system'; });
  tools.push(h('div', { class: 'macro-tools', role: 'group', 'aria-label': 'Insert a macro' },
    field('Macro', kind), sysField, nameField,
    h('button', {
      type: 'button',
      onclick: () => {
        const key = kind.value === 'system' ? sys.value : (nameIn.value.trim() || 'name');
        ed.insert(`{{ .spectro.${kind.value}.${key} }}`);
      },
    }, 'Insert macro')));

  const required = (schema || []).filter((s) => s.required);
  const secrets = (schema || []).filter((s) => /password|secret/i.test(s.format || ''));
  const schemaNote = required.length || secrets.length ? h('p', { class: 'help' },
    required.length ? `Required: ${required.map((s) => s.name).join(', ')}. ` : '',
    secrets.length ? `Secret (masked once saved): ${secrets.map((s) => s.name).join(', ')}.` : '') : null;

  const el = h('section', { class: 'layer-editor', 'aria-label': `Editor of ${name}`, dataset: { layer: name } },
    h('div', { class: 'toolbar' }, tools),
    schemaNote,
    host,
    h('div', { class: 'check' }, status, list));
  return {
    el,
    ed,
    metrics,
    check,
    text: () => text,
    hasErrors: () => !!el.querySelector('.finding-error'),
    destroy: () => { later.cancel(); if (inflight) inflight.abort(); ed.destroy(); },
    id: uid('layer'),
  };
}
