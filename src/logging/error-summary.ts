/**
 * A failure as one log line: the error's name and message, and its cause's, without a stack.
 *
 * Why: failures that repeat per request, per message or per item (D1 down) would otherwise log a
 * stack each, and under `wrangler dev` every logged stack is source-mapped by wrangler, which then
 * falls behind on workerd's output until workerd's one thread blocks writing its next log line:
 * the whole local server stalls (docs/reliability.md, "a stall during the D1 outage"). Pure.
 */
export function errorSummary(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause === undefined ? oneLine(error) : `${oneLine(error)}; cause: ${oneLine(cause)}`;
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).replace(/\s+/g, " ").slice(0, 300);
}
