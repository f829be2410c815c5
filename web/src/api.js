// The client of byoos's public HTTP API. The API key lives in this tab's
// sessionStorage only: never in a URL, a cookie or localStorage.

const KEY = 'byoos.apiKey';
const PROJECT = 'byoos.projectUid';

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code || '';
    this.details = details || {};
  }
}

export const session = {
  key: () => sessionStorage.getItem(KEY) || '',
  project: () => sessionStorage.getItem(PROJECT) || '',
  signIn(key) { sessionStorage.setItem(KEY, key); },
  setProject(uid) { if (uid) sessionStorage.setItem(PROJECT, uid); else sessionStorage.removeItem(PROJECT); },
  signOut() { sessionStorage.removeItem(KEY); sessionStorage.removeItem(PROJECT); },
};

// request calls the API; it resolves to {data, etag} or throws ApiError.
export async function request(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json', ApiKey: opts.key || session.key() };
  const project = opts.project !== undefined ? opts.project : session.project();
  if (project) headers.ProjectUid = project;
  if (opts.ifMatch) headers['If-Match'] = opts.ifMatch;
  if (opts.fullFindings) headers['Byoos-Findings'] = 'full';
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(path, { method, headers, body: payload, cache: 'no-store', signal: opts.signal, credentials: 'omit' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'NetworkError', 'The server could not be reached: ' + e.message);
  }
  const text = await resp.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { message: text }; }
  }
  if (!resp.ok) {
    throw new ApiError(resp.status, data && data.code, data && data.message, data && data.details);
  }
  return { data, etag: resp.headers.get('ETag') || '' };
}

export const api = {
  get: (p, o) => request('GET', p, undefined, o).then((r) => r.data),
  post: (p, b, o) => request('POST', p, b, o).then((r) => r.data),
};
