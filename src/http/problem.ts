import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * An error the API answers with: RFC 9457 problem details, `code` stable for machines.
 * Routes throw it; the app's one `onError` turns it (and every other error) into a response.
 */
export class Problem extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    readonly title: string,
    readonly detail: string = title,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = "Problem";
  }

  toResponse(headers: Record<string, string> = {}): Response {
    const body = {
      type: `urn:stockflare:problem:${this.code}`,
      title: this.title,
      status: this.status,
      detail: this.detail,
      code: this.code,
      ...this.extra,
    };
    return new Response(JSON.stringify(body), {
      status: this.status,
      headers: { "content-type": "application/problem+json", ...headers },
    });
  }
}

export interface FieldError {
  path: string;
  message: string;
}

export const problems = {
  invalidRequest: (errors: FieldError[]) =>
    new Problem(400, "invalid_request", "Invalid request", "The request does not match the schema.", { errors }),
  malformedJson: () => new Problem(400, "malformed_json", "Malformed JSON", "The request body is not valid JSON."),
  unauthorized: () => new Problem(401, "unauthorized", "Unauthorized", "A valid `Authorization: Bearer <token>` header is required."),
  forbidden: (requiredScope: string, detail: string) => new Problem(403, "forbidden", "Forbidden", detail, { requiredScope }),
  rateLimited: (retryAfterSeconds: number) =>
    new Problem(429, "rate_limited", "Rate limited", `This key is over its rate limit; retry after ${retryAfterSeconds} s.`, {
      retryAfter: retryAfterSeconds,
    }),
  notFound: (detail = "No such resource.") => new Problem(404, "not_found", "Not found", detail),
  unknownChannel: (channel: string) =>
    new Problem(400, "unknown_channel", "Unknown channel", `No channel ${channel}: create it with PUT /v1/channels/{channel}.`, {
      channel,
    }),
  methodNotAllowed: (allow: string[]) =>
    new Problem(405, "method_not_allowed", "Method not allowed", `Allowed: ${allow.join(", ")}.`, { allow }),
  payloadTooLarge: (limit: number) => new Problem(413, "payload_too_large", "Payload too large", `The body exceeds ${limit} bytes.`),
  unsupportedMediaType: () => new Problem(415, "unsupported_media_type", "Unsupported media type", "Send the body as application/json."),
  upgradeRequired: () =>
    new Problem(
      426,
      "upgrade_required",
      "Upgrade required",
      "This route is a WebSocket: open it as a WebSocket (Upgrade: websocket), not as a plain request.",
    ),
  unavailable: (detail = "A stock item could not be reached. Nothing was acknowledged; retry the same request.") =>
    new Problem(503, "unavailable", "Service unavailable", detail),
} as const;
