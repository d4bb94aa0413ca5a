// The REST client: the session cookie, the CSRF header, JSON both ways. Failures come back
// as {ok: false, status, data}, status 0 when the server could not be reached; nothing
// throws. `If-Match` and `Idempotency-Key` are passed by the caller as headers.

let apiRoot = "/api/v1/";
export const setApiRoot = (root) => (apiRoot = root);

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

// A fresh key for one logical POST: a retry of the same request sends the same key, so the
// server answers it with what the first attempt made instead of making it twice.
export function idempotencyKey() {
  if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export async function api(method, path, body, headers = {}) {
  const options = {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken(), ...headers },
  };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path.startsWith("/") ? path : apiRoot + path, options);
  } catch (error) {
    return { ok: false, status: 0, data: null };
  }
  let data = null;
  if (response.status !== 204) {
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
  }
  return { ok: response.ok, status: response.status, data, etag: response.headers.get("ETag") };
}

// Every page of a paginated list (or a plain list).
export async function apiList(path) {
  const items = [];
  let next = path;
  while (next) {
    const response = await api("GET", next);
    if (!response.ok) return { ok: false, response, items };
    const body = response.data;
    if (Array.isArray(body)) return { ok: true, items: body };
    items.push(...(body.results || []));
    if (body.next) {
      const url = new URL(body.next, window.location.href);
      next = url.pathname + url.search;
    } else {
      next = null;
    }
  }
  return { ok: true, items };
}
