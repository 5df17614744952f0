/** The REST error JSON of the server: `{"error":{code,messageCode,message,details}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly messageCode: string,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** 498 (invalid or expired token) and 499 (no token): the session is over. */
  get sessionEnded(): boolean {
    return this.code === 498 || this.code === 499;
  }

  /**
   * Problems by the field they name: the server's details read `field: message`
   * (`minute: …`, `parameters.notebookParameters: …`).
   */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const d of this.details) {
      const m = /^([A-Za-z.]+): (.*)$/.exec(d);
      if (m && !out[m[1]]) out[m[1]] = m[2];
    }
    return out;
  }
}

export type FormValue = string | number | boolean | object | null | undefined;

/** Form fields as the sharing API takes them: objects as JSON strings, absent values left out. */
export function toForm(fields: Record<string, FormValue>): URLSearchParams {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === null) continue;
    form.set(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  return form;
}

/** What the session does when the server refuses its token. */
export interface SessionHooks {
  /** Gets a new access token (the refresh token); true when the request may be sent again. */
  renew(): Promise<boolean>;
  /** The session is over: called before the error reaches the page. */
  ended(e: ApiError): void;
}

/**
 * The one place that talks HTTP. The token travels in the Authorization header (never in a URL);
 * a 498/499 answer renews the token and sends the request once more, and only when that fails ends the session.
 */
export class Http {
  constructor(
    private readonly token: () => string | null,
    private readonly session: SessionHooks,
    private readonly fetchImpl: typeof fetch = (...a) => fetch(...a),
  ) {}

  get<T>(path: string, query: Record<string, FormValue> = {}): Promise<T> {
    const q = toForm({ f: 'json', ...query }).toString();
    return this.send<T>(`${path}?${q}`, { method: 'GET' });
  }

  post<T>(path: string, fields: Record<string, FormValue> = {}): Promise<T> {
    return this.send<T>(path, { method: 'POST', body: toForm({ f: 'json', ...fields }) });
  }

  /** A JSON body: the one form where `null` can say "clear this" (a form field can only be left out). */
  postJson<T>(path: string, body: Record<string, unknown>): Promise<T> {
    return this.send<T>(path, { method: 'POST', body: JSON.stringify({ f: 'json', ...body }), headers: { 'Content-Type': 'application/json' } });
  }

  /** Multipart (file uploads). */
  postMultipart<T>(path: string, form: FormData): Promise<T> {
    form.set('f', 'json');
    return this.send<T>(path, { method: 'POST', body: form });
  }

  /** A non-JSON resource (a snapshot's HTML, a notebook file). */
  text(path: string): Promise<string> {
    return this.raw(path, (res) => res.text());
  }

  /** A download (an output file), as it is. */
  blob(path: string): Promise<Blob> {
    return this.raw(path, (res) => res.blob());
  }

  private raw<T>(path: string, read: (res: Response) => Promise<T>): Promise<T> {
    return this.authorized(async () => {
      const res = await this.request(path, { method: 'GET' });
      if (!res.ok) throw await this.errorOf(res);
      return read(res);
    });
  }

  private send<T>(path: string, init: RequestInit): Promise<T> {
    return this.authorized(async () => {
      const res = await this.request(path, init);
      if (!res.ok) throw await this.errorOf(res);
      const body = (await res.json()) as T & { error?: unknown };
      if (body && typeof body === 'object' && 'error' in body && body.error) throw this.raise(res.status, body.error);
      return body;
    });
  }

  /** Runs an exchange; a refused token is renewed once, and the exchange run again with the new one. */
  private async authorized<T>(exchange: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await exchange();
      } catch (e) {
        if (!(e instanceof ApiError && e.sessionEnded)) throw e;
        if (attempt === 0 && (await this.session.renew())) continue;
        this.session.ended(e);
        throw e;
      }
    }
  }

  private request(path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    const token = this.token();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    return this.fetchImpl(path, { ...init, headers });
  }

  private async errorOf(res: Response): Promise<ApiError> {
    let body: { error?: unknown } | null = null;
    try {
      body = await res.json();
    } catch {
      // not JSON: a proxy's page, a network error page
    }
    return this.raise(res.status, body?.error ?? { code: res.status, messageCode: `HTTP_${res.status}`, message: `The server answered ${res.status} ${res.statusText}.` });
  }

  private raise(status: number, raw: unknown): ApiError {
    const e = raw as { code?: number; messageCode?: string; message?: string; details?: string[] };
    return new ApiError(status, e.code ?? status, e.messageCode ?? `HTTP_${status}`, e.message ?? 'Request failed.', e.details ?? []);
  }
}
