import type { Level, ProblemBody } from "./types";

/**
 * What the console tells a person when the API refuses: the problem's own words (title,
 * detail, field errors) plus what to do about the codes the console meets. Pure: no DOM.
 */

export const REFUSED_TOKEN =
  "That token was refused (401). Check that you copied the whole API token (or an sfk_ key that has not been deleted) and sign in again.";

export interface ProblemMessage {
  /** One line: `Title (status): detail`. */
  message: string;
  /** Field errors of a 400 invalid_request, as `path: message`. */
  fields: string[];
  /** The code when the answer was a problem, else null. */
  code: string | null;
  /** A 412's current level, when the body carried one. */
  level: Level | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Turns an HTTP status and its (parsed, maybe absent) body into a message. */
export function describeProblem(status: number, body: unknown): ProblemMessage {
  const problem: ProblemBody = isRecord(body) ? (body as ProblemBody) : {};
  const code = typeof problem.code === "string" ? problem.code : null;
  const fields = Array.isArray(problem.errors)
    ? problem.errors.filter((e) => isRecord(e)).map((e) => (e.path ? `${String(e.path)}: ${String(e.message)}` : String(e.message)))
    : [];
  const level = isRecord(problem.level) ? (problem.level as unknown as Level) : null;
  if (status === 401) return { message: REFUSED_TOKEN, fields, code, level };

  const title = typeof problem.title === "string" && problem.title !== "" ? problem.title : `HTTP ${status}`;
  const detail = typeof problem.detail === "string" && problem.detail !== problem.title ? problem.detail : "";
  let message = detail === "" ? `${title} (${status})` : `${title} (${status}): ${detail}`;
  if (status === 403 && typeof problem.requiredScope === "string") {
    message += ` This key needs the scope "${problem.requiredScope}".`;
  } else if (code === "precondition_failed") {
    message += level
      ? ` Someone changed it meanwhile: the form now shows version ${level.version}; check the numbers and submit again.`
      : "";
  } else if (status === 429) {
    message += " Wait a few seconds and try again.";
  } else if (status >= 500) {
    message += " Nothing was acknowledged; try again.";
  }
  return { message, fields, code, level };
}

/** A fetch that never got an answer (offline, DNS, refused connection). */
export function describeNetworkError(error: unknown): ProblemMessage {
  const reason = error instanceof Error ? error.message : String(error);
  return { message: `Could not reach the API (${reason}). Is the Worker running?`, fields: [], code: null, level: null };
}
