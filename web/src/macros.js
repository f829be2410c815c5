// The macros view: the tenant's macros and the current project's, read in
// layer values as {{ .spectro.macro.NAME }} (the project's over the
// tenant's). Keys that may change them add, edit and delete them here; the
// others see the lists only, and why.
import { h, clear, field } from './dom.js';
import { request } from './api.js';

const NAME = /^[A-Za-z0-9_-]{1,128}$/;

// checkName returns why name cannot name a macro, or ''. The server checks
// it again (service.CheckMacroName); this only answers sooner.
function checkName(name) {
  if (!name) return 'Name: enter a name.';
  if (!NAME.test(name)) return `Name: "${name}" cannot name a macro; use 1 to 128 letters, digits, '_' and '-'.`;
  return '';
}

// writeRefusal returns why the key may not change the macros of scope, or ''
// when it may (or when the key's role is not known: the server decides).
export function writeRefusal(me, scope, projectUid) {
  if (!me || !me.role) return '';
  if (me.role !== 'admin') return 'This API key is read-only: it lists macros but cannot add, change or delete them.';
  if (scope === 'tenant' && me.projectUid) return 'Tenant macros are changed only with a tenant admin API key; this key is limited to one project.';
  if (scope === 'project' && me.projectUid && me.projectUid !== projectUid) return 'This API key is limited to another project: it cannot change this project\'s macros.';
  return '';
}

// macrosView renders the view into main. ctx.whoami() answers the tenant uid
// and the key's role and project.
export async function macrosView(main, { setTitle, focusHeading, alertBox, errorText, whoami, projectUid, projectName }) {
  setTitle('Macros');
  main.append(h('h1', {}, 'Macros'),
    h('p', {}, 'Layer values read a macro as ', h('code', {}, '{{ .spectro.macro.NAME }}'),
      '. A project\'s macro is used over the tenant\'s macro of the same name. Macro values are not secret: do not put passwords in them.'));
  const body = h('div', { 'aria-busy': 'true' }, h('p', {}, 'Loading…'));
  main.append(body);
  focusHeading(main);
  let me;
  try {
    me = await whoami();
  } catch (e) {
    clear(body).append(alertBox(errorText(e)));
    body.removeAttribute('aria-busy');
    return;
  }
  const scopes = [{ key: 'tenant', title: 'Tenant macros', path: `/v1/tenants/${encodeURIComponent(me.tenantUid)}/macros`, list: [] }];
  if (projectUid) {
    scopes.push({ key: 'project', title: `Project macros: ${projectName || projectUid}`, path: `/v1/projects/${encodeURIComponent(projectUid)}/macros`, list: [] });
  }
  for (const sc of scopes) {
    sc.refusal = writeRefusal(me, sc.key, projectUid);
    sc.msg = h('div', { class: 'macro-message', 'aria-live': 'polite' });
    sc.box = h('div', {});
    sc.section = h('section', { id: `${sc.key}-macros`, 'aria-labelledby': `${sc.key}-macros-h` },
      h('h2', { id: `${sc.key}-macros-h` }, sc.title), sc.msg, sc.box);
  }
  clear(body).append(...scopes.map((sc) => sc.section));
  body.removeAttribute('aria-busy');

  const other = (sc) => scopes.find((x) => x !== sc);
  const say = (sc, node) => clear(sc.msg).append(node);
  const ok = (sc, text) => say(sc, h('p', { class: 'ok', role: 'status' }, text));

  const load = async (sc) => {
    try {
      const res = await request('GET', sc.path);
      sc.list = (res.data && res.data.macros) || [];
      sc.error = null;
    } catch (e) {
      sc.list = [];
      sc.error = e;
    }
  };

  // change sends one macro call; it resolves to true once done, or shows
  // why not (a 403 says the key may not).
  const change = async (sc, method, macros) => {
    try {
      await request(method, sc.path, { macros });
      return true;
    } catch (e) {
      say(sc, alertBox(errorText(e)));
      return false;
    }
  };

  const refresh = async (sc, focusSel) => {
    await load(sc);
    draw(sc);
    const o = other(sc);
    if (o) draw(o);
    const f = focusSel && sc.box.querySelector(focusSel);
    if (f) f.focus();
  };

  const row = (sc, m) => {
    const tr = h('tr', { dataset: { macro: m.name } });
    const o = other(sc);
    const shadow = o && o.list.find((x) => x.name === m.name);
    const note = shadow ? h('div', { class: 'help' }, sc.key === 'project' ? 'Used over the tenant\'s macro of this name.' : 'The current project has its own value: its profiles use that one.') : null;
    const show = () => {
      clear(tr).append(
        h('th', { scope: 'row' }, h('code', {}, m.name)),
        h('td', { class: 'macro-value' }, h('code', {}, m.value), note),
        sc.refusal ? null : h('td', { class: 'macro-actions' }, h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'edit-macro', onclick: edit, 'aria-label': `Edit ${m.name}` }, 'Edit'),
          h('button', { type: 'button', class: 'delete-macro', onclick: ask, 'aria-label': `Delete ${m.name}` }, 'Delete'))));
    };
    const edit = () => {
      const input = h('input', { type: 'text', class: 'macro-new-value', value: m.value, autocomplete: 'off', spellcheck: 'false', 'aria-label': `New value of ${m.name}` });
      const saveBtn = h('button', { type: 'button', class: 'primary save-macro', onclick: () => save() }, 'Save');
      const save = async () => {
        saveBtn.disabled = true;
        if (await change(sc, 'PATCH', [{ name: m.name, value: input.value }])) {
          ok(sc, `Saved ${m.name}.`);
          await refresh(sc, `tr[data-macro="${CSS.escape(m.name)}"] .edit-macro`);
        } else saveBtn.disabled = false;
      };
      input.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter') { ev.preventDefault(); save(); }
        if (ev.key === 'Escape') { ev.preventDefault(); show(); tr.querySelector('.edit-macro').focus(); }
      });
      clear(tr).append(h('th', { scope: 'row' }, h('code', {}, m.name)), h('td', { class: 'macro-value' }, input),
        h('td', { class: 'macro-actions' }, h('div', { class: 'actions' }, saveBtn,
          h('button', { type: 'button', onclick: () => { show(); tr.querySelector('.edit-macro').focus(); } }, 'Cancel'))));
      input.focus();
      input.select();
    };
    const ask = () => {
      const yes = h('button', { type: 'button', class: 'primary confirm-delete', onclick: async () => {
        yes.disabled = true;
        if (await change(sc, 'DELETE', [{ name: m.name }])) {
          ok(sc, `Deleted ${m.name}.`);
          await refresh(sc, '.macro-name');
        } else yes.disabled = false;
      } }, `Delete ${m.name}`);
      const actions = tr.querySelector('.macro-actions');
      clear(actions).append(h('div', { class: 'actions', role: 'group', 'aria-label': `Delete ${m.name}?` },
        h('span', {}, `Delete ${m.name}? Profiles that use it then read an empty string.`), yes,
        h('button', { type: 'button', onclick: () => { show(); tr.querySelector('.delete-macro').focus(); } }, 'Keep it')));
      yes.focus();
    };
    show();
    return tr;
  };

  const addForm = (sc) => {
    const name = h('input', { type: 'text', class: 'macro-name', autocomplete: 'off', spellcheck: 'false', maxlength: 128, 'aria-required': 'true' });
    const value = h('input', { type: 'text', class: 'macro-value-input', autocomplete: 'off', spellcheck: 'false' });
    const btn = h('button', { type: 'submit', class: 'primary add-macro' }, 'Add macro');
    return h('form', {
      class: 'macro-add', 'aria-label': `Add a ${sc.key} macro`,
      onsubmit: async (ev) => {
        ev.preventDefault();
        const n = name.value.trim();
        const why = checkName(n);
        if (why) { say(sc, alertBox(why)); name.focus(); return; }
        btn.disabled = true;
        if (await change(sc, 'POST', [{ name: n, value: value.value }])) {
          ok(sc, `Added ${n}.`);
          await refresh(sc, '.macro-name');
        } else btn.disabled = false;
      },
    }, h('div', { class: 'macro-tools' }, field('Name', name), field('Value', value), btn));
  };

  const draw = (sc) => {
    clear(sc.box);
    if (sc.error) { sc.box.append(alertBox(errorText(sc.error))); return; }
    sc.box.append(sc.list.length
      ? h('div', { class: 'table-wrap' }, h('table', { class: 'list macros' },
        h('caption', { class: 'sr-only' }, sc.title),
        h('thead', {}, h('tr', {}, ['Name', 'Value', sc.refusal ? null : 'Actions'].filter(Boolean).map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, [...sc.list].sort((a, b) => a.name.localeCompare(b.name)).map((m) => row(sc, m)))))
      : h('p', { class: 'none' }, sc.key === 'tenant' ? 'The tenant has no macros.' : 'This project has no macros.'));
    sc.box.append(sc.refusal ? h('p', { class: 'help read-only-note' }, sc.refusal) : addForm(sc));
  };

  await Promise.all(scopes.map(load));
  scopes.forEach(draw);
}
