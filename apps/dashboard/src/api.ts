// The dashboard's only door to the API: the bearer token from sign-in, JSON in and out, and the
// API's own error words (message and code) carried to the page unchanged.
const TOKEN_KEY = 'tradedesk.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

/** An answer other than 2xx, in the API's error shape (`statusCode`, `message`, `code`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | undefined>;

function url(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') params.set(key, String(value));
  const search = params.toString();
  return `/api${path}${search ? `?${search}` : ''}`;
}

interface RequestOptions {
  query?: Query;
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const token = options.token ?? storedToken();
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url(path, options.query), {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  const body: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const error = (body ?? {}) as { message?: string | string[]; code?: string };
    const message = Array.isArray(error.message) ? error.message.join('; ') : (error.message ?? response.statusText);
    if (response.status === 401) window.dispatchEvent(new Event('tradedesk:unauthorized'));
    throw new ApiError(response.status, message, error.code);
  }
  return body as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', path, { query }),
  post: <T>(path: string, body?: unknown, query?: Query, headers?: Record<string, string>) =>
    request<T>('POST', path, { body: body ?? {}, query, headers }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  delete: <T>(path: string) => request<T>('DELETE', path),
  /** Prometheus text from `GET /metrics` (outside /api), with the same token. */
  metricsText: async (): Promise<string> => {
    const response = await fetch('/metrics', { headers: { authorization: `Bearer ${storedToken() ?? ''}` } });
    const text = await response.text();
    if (!response.ok) {
      const error = (text.startsWith('{') ? JSON.parse(text) : {}) as { message?: string; code?: string };
      throw new ApiError(response.status, error.message ?? response.statusText, error.code);
    }
    return text;
  },
  /** Checks a token before keeping it. */
  checkToken: (token: string) => request<unknown>('GET', '/accounts', { token }),
};
