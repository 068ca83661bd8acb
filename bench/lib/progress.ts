/**
 * One live status line. On a terminal it is rewritten in place; in a log (CI, a pipe) it is
 * printed at most every few seconds so the output stays readable.
 */
export class Progress {
  private readonly tty = process.stderr.isTTY === true;
  private lastPrinted = 0;
  private live = false;
  private readonly started = Date.now();

  private stamp(): string {
    const s = Math.round((Date.now() - this.started) / 1000);
    return `[${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}]`;
  }

  update(text: string): void {
    const line = `${this.stamp()} ${text}`;
    if (this.tty) {
      process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns || 120) - 1)}`);
      this.live = true;
    } else if (Date.now() - this.lastPrinted >= 5_000) {
      process.stderr.write(`${line}\n`);
      this.lastPrinted = Date.now();
    }
  }

  /** A permanent line (a phase finished, a warning). */
  log(text: string): void {
    if (this.live) process.stderr.write("\r\x1b[K");
    this.live = false;
    process.stderr.write(`${this.stamp()} ${text}\n`);
    this.lastPrinted = Date.now();
  }

  clear(): void {
    if (this.live) process.stderr.write("\r\x1b[K");
    this.live = false;
  }
}
