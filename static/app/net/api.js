// REST calls to /api/v1 with the session cookie. Writes echo the csrf_token
// cookie in X-CSRF-Token. Problem details become ApiError (status, code,
// detail and the extra fields); no network becomes NetworkError.
export class ApiError extends Error {
  constructor(problem, status) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code ?? "http_" + status;
    this.problem = problem;
  }
}

export class NetworkError extends Error {}

function csrfToken() {
  const found = document.cookie.split("; ").find((c) => c.startsWith("csrf_token="));
  return found ? decodeURIComponent(found.slice("csrf_token=".length)) : "";
}

export async function request(method, path, { body, query, raw, retried } = {}) {
  const url = new URL("/api/v1" + path, location.origin);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) url.searchParams.set(k, v);
  const headers = {};
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  if (body !== undefined && !raw) headers["Content-Type"] = "application/json";
  let answer;
  try {
    answer = await fetch(url, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    });
  } catch (err) {
    throw new NetworkError(err.message);
  }
  if (answer.status === 204) return null;
  const data = await answer.json().catch(() => ({}));
  if (!answer.ok) {
    // A high-value action with no recent proof: ask (net/reauth.js), then once more.
    if (answer.status === 403 && data.code === "reauthentication_required" && !retried) {
      const { askReauth } = await import("./reauth.js");
      if (await askReauth().then(() => true, () => false)) return request(method, path, { body, query, raw, retried: true });
    }
    throw new ApiError(data, answer.status);
  }
  return data;
}

export const api = {
  get: (path, query) => request("GET", path, { query }),
  post: (path, body) => request("POST", path, { body: body ?? {} }),
  put: (path, body) => request("PUT", path, { body: body ?? {} }),
  patch: (path, body) => request("PATCH", path, { body }),
  del: (path) => request("DELETE", path),
};

// Files go through XMLHttpRequest: fetch reports no upload progress.
export function sendFile(method, path, file, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, "/api/v1" + path);
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new NetworkError("upload failed"));
    xhr.onload = () => {
      let data = {};
      try { data = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError(data, xhr.status));
    };
    const form = new FormData();
    form.append("file", file, file.name || "pasted");
    xhr.send(form);
  });
}

export const upload = (conversationId, file, onProgress) =>
  sendFile("POST", `/conversations/${conversationId}/attachments`, file, onProgress);
