// Verify on a profile's page: POST /v1/clusterprofiles/{uid}/verify checks
// that each image the profile names exists where the cluster will run (the
// published version, or the draft of a profile never published). It shows
// one row per image and the findings, in the list the page uses for
// validation findings. The answer masks credentials; the request body (the
// region and architecture) is never echoed.
import { h, clear, field } from './dom.js';
import { request, ApiError } from './api.js';
import { findingItem } from './layer.js';

// verifyRefusal returns why the key may not run verify, or '' when it may
// (or when its role is not known: the server decides).
export function verifyRefusal(me) {
  if (!me || !me.role || me.role === 'admin') return '';
  return 'This API key is read-only: verify makes the server contact registries and clouds, so it needs an admin key.';
}

// digestNote says how an Edge image's digest compares with the one recorded
// when the profile version was published.
function digestNote(r) {
  if (!r.published) return null;
  if (!r.digest) return h('span', { class: 'help block' }, 'Recorded at publication: ', h('code', {}, r.published));
  if (r.published === r.digest) return h('span', { class: 'help block' }, 'As recorded at publication.');
  return h('span', { class: 'warn-text block' }, 'Moved since published: recorded ', h('code', {}, r.published));
}

function where(r) {
  const at = r.line ? `line ${r.line}${r.column ? `, column ${r.column}` : ''}` : '';
  const path = [r.layer, r.path].filter(Boolean).join(': ');
  return [path ? h('code', {}, path) : null, at ? h('span', { class: 'help block' }, at) : null];
}

function resultRow(r) {
  return h('tr', { class: r.holds ? 'verify-holds' : 'verify-fails', dataset: { holds: String(!!r.holds), ref: r.ref } },
    h('td', { class: 'verify-mark' }, h('span', { 'aria-hidden': 'true' }, r.holds ? '✓' : '✗'), h('span', { class: 'sr-only' }, r.holds ? 'Holds' : 'Does not hold')),
    h('th', { scope: 'row', class: 'verify-ref' }, h('code', {}, r.ref)),
    h('td', { class: 'nowrap' }, r.cloud),
    h('td', { class: 'nowrap' }, r.role),
    h('td', { class: 'verify-where' }, where(r)),
    h('td', { class: 'verify-checked' }, r.checked || ''),
    h('td', { class: 'verify-digest' }, r.digest ? h('code', {}, r.digest) : '', digestNote(r)));
}

// summary is one sentence on what was verified and what was found.
function summary(v) {
  const results = v.results || [];
  const findings = v.findings || [];
  const errs = findings.filter((f) => f.severity === 'error').length;
  const warns = findings.filter((f) => f.severity === 'warning').length;
  const which = v.verified === 'published' ? 'the published version' : v.verified === 'draft' ? 'the draft (the profile was never published)' : 'the profile';
  if (!results.length && errs) return { ok: false, text: `The profile does not validate, so no image was checked (${which}): fix these ${errs} error(s) first.` };
  if (!results.length) return { ok: !errs, text: `Verified ${which}: it names no image to check.` };
  const hold = results.filter((r) => r.holds).length;
  const text = `Verified ${which}: ${results.length} image(s), ${hold} hold, ${results.length - hold} do not; ${errs} error(s), ${warns} warning(s).` +
    (v.recorded ? ` Recorded ${v.recorded} Edge image digest(s) with the published version; a later verify reports a tag that moved.` : '');
  return { ok: hold === results.length && !errs, text };
}

// verifyPanel builds the verify form and its results for profile uid of
// cloudType. onCleanup registers what to do when the page goes away.
export function verifyPanel({ uid, cloudType, errorText, alertBox, onCleanup }) {
  const aws = cloudType === 'aws';
  const region = h('input', { type: 'text', id: 'verify-region', name: 'region', autocomplete: 'off', spellcheck: 'false', required: aws, placeholder: aws ? 'e.g. eu-west-1' : '' });
  const arch = h('select', { id: 'verify-arch', name: 'arch' },
    h('option', { value: '' }, aws ? 'Default (x86_64)' : 'Any (amd64 or arm64)'),
    h('option', { value: 'x86_64' }, 'x86_64'),
    h('option', { value: 'arm64' }, 'arm64'));
  const btn = h('button', { type: 'submit', class: 'primary', id: 'verify' }, 'Verify');
  const note = h('p', { class: 'help read-only-note', id: 'verify-note', hidden: true });
  const status = h('div', { id: 'verify-status', role: 'status', 'aria-live': 'polite' });
  const out = h('div', { id: 'verify-output', 'aria-live': 'polite' });
  let inflight = null;
  onCleanup(() => { if (inflight) inflight.abort(); });

  const refuse = (reason) => {
    btn.disabled = !!reason;
    note.hidden = !reason;
    note.textContent = reason;
    if (reason) btn.setAttribute('aria-describedby', 'verify-note'); else btn.removeAttribute('aria-describedby');
  };

  const show = (v) => {
    const s = summary(v);
    const results = v.results || [];
    const findings = v.findings || [];
    clear(status).append(h('p', { class: s.ok ? 'ok' : 'alert-text', id: 'verify-summary' }, s.text));
    clear(out).append(
      results.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'list verify-results', id: 'verify-results' },
        h('caption', { class: 'sr-only' }, 'Images verified'),
        h('thead', {}, h('tr', {}, ['Result', 'Image', 'Cloud', 'Role', 'Named at', 'What was checked', 'Digest'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, results.map(resultRow)))) : null,
      h('h3', { id: 'verify-findings-h' }, 'Findings of the verify'),
      findings.length ? h('ul', { class: 'findings', id: 'verify-findings', 'aria-labelledby': 'verify-findings-h' }, findings.map((f) => findingItem(f, null, { layer: true })))
        : h('p', { class: 'none', id: 'verify-findings' }, 'No findings.'));
  };

  const form = h('form', {
    class: 'verify-form', id: 'verify-form', 'aria-labelledby': 'verify-h', novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      if (btn.disabled) return;
      const r = region.value.trim();
      if (aws && !r) {
        clear(status).append(alertBox('Region: enter the AWS region the cluster will run in (e.g. eu-west-1); the AMI is looked up there.'));
        region.focus();
        return;
      }
      const body = {};
      if (r) body.region = r;
      if (arch.value) body.arch = arch.value;
      if (inflight) inflight.abort();
      inflight = new AbortController();
      btn.disabled = true;
      btn.textContent = 'Verifying…';
      out.setAttribute('aria-busy', 'true');
      form.setAttribute('aria-busy', 'true');
      clear(status).append(h('p', { class: 'help' }, 'Verifying the images…'));
      try {
        const { data } = await request('POST', `/v1/clusterprofiles/${encodeURIComponent(uid)}/verify`, body, { signal: inflight.signal });
        show(data || {});
      } catch (e) {
        if (e.name === 'AbortError') return;
        clear(out);
        const text = e instanceof ApiError && e.status === 0 ? 'Verify failed: ' + e.message + '. Check your connection and try again.' : 'Verify failed: ' + errorText(e);
        clear(status).append(alertBox(text));
      } finally {
        inflight = null;
        btn.textContent = 'Verify';
        btn.disabled = !note.hidden;
        out.removeAttribute('aria-busy');
        form.removeAttribute('aria-busy');
      }
    },
  },
  h('h3', { id: 'verify-h' }, 'Verify the images'),
  h('p', { class: 'help' }, 'Checks that each image the profile names exists where the cluster will run: the published version, or the draft of a profile never published. The server contacts only the registries and clouds its configuration allows.'),
  h('div', { class: 'row' },
    field(aws ? 'Region (required)' : 'Region', region, aws ? 'The AWS region the cluster runs in; the AMI must be there.' : 'The cluster\'s region, if any (it sets the macro cloud.region).'),
    field('Architecture', arch)),
  h('div', { class: 'actions' }, btn), note, status, out);
  return { el: form, refuse };
}
