import { describeNetworkError, describeProblem, type ProblemMessage } from "./problem";

/** A refusal (or no answer) from the API, with the message to show. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: ProblemMessage,
  ) {
    super(problem.message);
    this.name = "ApiError";
  }
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  method?: string;
  json?: unknown;
  headers?: Record<string, string>;
}

/**
 * The API as the console calls it: same origin, `Authorization: Bearer <token>`, JSON in and
 * out. A refusal throws ApiError with the problem's message; a 401 also tells the app to
 * sign out (the token was wrong, or its key was deleted).
 */
export class Api {
  constructor(
    private readonly token: string,
    private readonly onUnauthorized: (message: string) => void = () => {},
  ) {}

  async request<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, ...options.headers };
    let body: string | undefined;
    if (options.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.json);
    }
    let response: Response;
    try {
      response = await fetch(path, { method: options.method ?? "GET", headers, body, cache: "no-store" });
    } catch (error) {
      throw new ApiError(0, describeNetworkError(error));
    }
    const text = await response.text();
    let parsed: unknown = null;
    if (text !== "") {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (!response.ok) {
      const problem = describeProblem(response.status, parsed);
      if (response.status === 401) this.onUnauthorized(problem.message);
      throw new ApiError(response.status, problem);
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  async get<T>(path: string): Promise<T> {
    return (await this.request<T>(path)).body;
  }
}

/** A query string of the set values: `?a=1&b=x`, or "" when none is set. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}

/** `/v1/stock/{sku}/{warehouse}` with both encoded. */
export const itemPath = (sku: string, warehouse: string) => `/v1/stock/${encodeURIComponent(sku)}/${encodeURIComponent(warehouse)}`;

/** A random Idempotency-Key for one submission of a form. */
export function idempotencyKey(): string {
  // getRandomValues, not randomUUID: the latter is missing outside secure contexts (plain http on a LAN address).
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `console-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
