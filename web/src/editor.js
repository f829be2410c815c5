// The YAML editor of a layer's values: CodeMirror 6 with line numbers,
// highlighting and the server's findings as diagnostics at their lines.
import { EditorState, EditorSelection } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { syntaxHighlighting, defaultHighlightStyle, indentOnInput, bracketMatching } from '@codemirror/language';
import { yaml } from '@codemirror/lang-yaml';
import { lintGutter, setDiagnostics } from '@codemirror/lint';

// createEditor puts an editor into parent. Tab is not captured, so the
// keyboard moves on to the next control.
export function createEditor(parent, { doc, label, onChange, readOnly }) {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: doc || '',
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        lintGutter(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        yaml(),
        EditorView.lineWrapping,
        keymap.of([...defaultKeymap, ...historyKeymap]),
        EditorState.readOnly.of(!!readOnly),
        // The editor's own style sheet carries the page's CSP nonce.
        EditorView.cspNonce.of((document.querySelector('meta[name=csp-nonce]') || {}).content || ''),
        EditorView.contentAttributes.of({ 'aria-label': label, 'aria-multiline': 'true' }),
        EditorView.updateListener.of((u) => { if (u.docChanged && onChange) onChange(u.state.doc.toString()); }),
      ],
    }),
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    insert(text) {
      const { from, to } = view.state.selection.main;
      view.dispatch({ changes: { from, to, insert: text }, selection: EditorSelection.cursor(from + text.length) });
      view.focus();
    },
    gotoLine(line, column) {
      const n = Math.max(1, Math.min(line, view.state.doc.lines));
      const l = view.state.doc.line(n);
      const pos = Math.min(l.to, l.from + Math.max(0, (column || 1) - 1));
      view.dispatch({ selection: EditorSelection.cursor(pos), scrollIntoView: true });
      view.focus();
    },
    // show sets the findings as diagnostics: each at its line (and column).
    show(findings) {
      const doc = view.state.doc;
      const diags = [];
      for (const f of findings) {
        const n = Math.max(1, Math.min(f.line || 1, doc.lines));
        const l = doc.line(n);
        const from = Math.min(l.to, l.from + Math.max(0, (f.column || 1) - 1));
        diags.push({
          from, to: l.to > from ? l.to : from,
          severity: f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'info',
          message: f.message + (f.hint ? ' Fix: ' + f.hint : ''),
          source: f.code,
        });
      }
      view.dispatch(setDiagnostics(view.state, diags));
    },
    destroy: () => view.destroy(),
  };
}
