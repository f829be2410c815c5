// A safe Markdown subset rendered as DOM nodes: headings, paragraphs, lists,
// fenced code, tables, inline code, emphasis and http(s) links. Text is only
// ever set as text; HTML in the source shows as written.
import { h } from './dom.js';

function inline(text) {
  const out = [];
  const re = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\[[^\]]+\]\([^)\s]+\))|(\*[^*\s][^*]*\*)/g;
  let last = 0;
  for (let m; (m = re.exec(text));) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const s = m[0];
    if (m[1]) out.push(h('code', {}, s.slice(1, -1)));
    else if (m[2]) out.push(h('strong', {}, inline(s.slice(2, -2))));
    else if (m[3]) {
      const lm = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(s);
      const href = lm[2];
      if (/^https?:\/\//i.test(href)) out.push(h('a', { href, rel: 'noopener noreferrer', target: '_blank' }, inline(lm[1])));
      else out.push(...inline(lm[1]));
    } else if (m[4]) out.push(h('em', {}, s.slice(1, -1)));
    last = m.index + s.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

const cells = (line) => line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());

export function markdown(src) {
  const root = h('div', { class: 'markdown' });
  const lines = String(src || '').replace(/\r\n/g, '\n').split('\n');
  let i = 0;
  let para = [];
  const flush = () => { if (para.length) { root.append(h('p', {}, inline(para.join(' ')))); para = []; } };
  while (i < lines.length) {
    const line = lines[i];
    let m;
    if (/^```/.test(line)) {
      flush();
      const code = [];
      for (i += 1; i < lines.length && !/^```/.test(lines[i]); i += 1) code.push(lines[i]);
      root.append(h('pre', {}, h('code', {}, code.join('\n'))));
      i += 1;
    } else if ((m = /^(#{1,6})\s+(.*)$/.exec(line))) {
      flush();
      const level = Math.min(6, m[1].length + 2); // under the page's own h1 and h2
      root.append(h('h' + level, {}, inline(m[2])));
      i += 1;
    } else if (/^\s*\|/.test(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{3,}/.test(lines[i + 1])) {
      flush();
      const head = cells(line);
      const body = [];
      for (i += 2; i < lines.length && /^\s*\|/.test(lines[i]); i += 1) body.push(cells(lines[i]));
      root.append(h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, inline(c))))),
        h('tbody', {}, body.map((r) => h('tr', {}, r.map((c) => h('td', {}, inline(c)))))))));
    } else if (/^\s*([-*]|\d+\.)\s+/.test(line)) {
      flush();
      const ordered = /^\s*\d+\./.test(line);
      const list = h(ordered ? 'ol' : 'ul', {});
      while (i < lines.length && /^\s*([-*]|\d+\.)\s+/.test(lines[i])) {
        let item = lines[i].replace(/^\s*([-*]|\d+\.)\s+/, '');
        for (i += 1; i < lines.length && /^\s{2,}\S/.test(lines[i]) && !/^\s*([-*]|\d+\.)\s+/.test(lines[i]); i += 1) item += ' ' + lines[i].trim();
        list.append(h('li', {}, inline(item)));
      }
      root.append(list);
    } else if (line.trim() === '') {
      flush();
      i += 1;
    } else {
      para.push(line.trim());
      i += 1;
    }
  }
  flush();
  return root;
}
