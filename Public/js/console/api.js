import { csrfToken } from './context.js';

const base = '/api/v1';

/** A failed call in the shape of the server's problem details (RFC 9457). */
export class ApiError extends Error {
  constructor({ status, title, detail, errors }) {
    super(detail || title || `HTTP ${status}`);
    this.status = status;
    this.title = title || '';
    this.detail = detail || '';
    this.errors = Array.isArray(errors) ? errors : [];
  }
}

/** Drops empty values so that an untouched filter does not reach the server as `?x=`. */
export function queryString(params = {}) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '' || value === false) continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export function apiUrl(path, query) {
  const full = path.startsWith('/api/') ? path : `${base}${path}`;
  return full + queryString(query);
}

async function readProblem(response) {
  const type = response.headers.get('content-type') || '';
  if (type.includes('json')) {
    try {
      const body = await response.json();
      return new ApiError({ status: response.status, ...body });
    } catch {
      // An unreadable error body still has a status worth showing.
    }
  }
  return new ApiError({ status: response.status, title: response.statusText });
}

/**
 * Calls the admin API with the cookie session. Non-GET requests carry the CSRF token the shell
 * page was rendered with; `form` sends multipart data (uploads) and `body` JSON.
 */
export async function api(path, { method = 'GET', query, body, form } = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin' };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken;
  if (form) {
    init.body = form;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(apiUrl(path, query), init);
  } catch (error) {
    throw new ApiError({ status: 0, title: 'network', detail: String(error && error.message ? error.message : error) });
  }
  if (!response.ok) {
    const problem = await readProblem(response);
    if (response.status === 401) document.dispatchEvent(new CustomEvent('console:signed-out'));
    throw problem;
  }
  if (response.status === 204) return null;
  const type = response.headers.get('content-type') || '';
  return type.includes('json') ? response.json() : response.text();
}

export const get = (path, query) => api(path, { query });
export const post = (path, body) => api(path, { method: 'POST', body });
export const put = (path, body) => api(path, { method: 'PUT', body });
export const patch = (path, body) => api(path, { method: 'PATCH', body });
export const del = (path) => api(path, { method: 'DELETE' });
