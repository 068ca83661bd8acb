/**
 * The item's one alarm, shared by every protocol with deferred work: hold expiry
 * (src/stock/holds-protocol.ts), the shipping backstop and D1 confirmation
 * (src/stock/shipping.ts), webhook delivery (src/stock/alerts.ts). Each says when it is
 * next due; the alarm is set for the earliest, and the alarm handler runs every duty and
 * sets it again for whatever is then due.
 *
 * Guarantees: whenever some duty has work, the alarm is set no later than that work is due.
 * The runtime keeps the alarm durably and retries a handler that throws, so a crash anywhere
 * leaves the alarm set (or firing again); `alarmAt` is only an in-memory mirror, read at the
 * start, that spares a storage call on every change.
 */
export class AlarmSchedule {
  /** Mirror of the scheduled alarm, to avoid re-setting it on every mutation. */
  private alarmAt: number | null = null;

  /**
   * `due`: each duty's next due time (null: nothing to do). `soonEnoughMs`: an alarm already
   * set within this of now is soon enough for anything an ordinary change creates (the
   * shipping backstop), so the hot path looks nothing up.
   */
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly due: (now: number) => (number | null)[],
    private readonly soonEnoughMs: number,
  ) {}

  /** Reads the alarm as stored; in the constructor's blockConcurrencyWhile. */
  async load(): Promise<void> {
    this.alarmAt = await this.storage.getAlarm();
  }

  armed(): boolean {
    return this.alarmAt !== null;
  }

  /** After a change: moves the alarm earlier if the change needs it sooner than it is set. `urgent`: now (a new alert). */
  async followUp(urgent: boolean): Promise<void> {
    // The hot path: under load the alarm is already due within the backstop, which is as soon
    // as anything a change creates needs it (a new alert needs it now), so nothing is looked up.
    if (!urgent && this.alarmAt !== null && this.alarmAt <= Date.now() + this.soonEnoughMs) return;
    const next = this.nextDue();
    if (next === null || (this.alarmAt !== null && this.alarmAt <= next)) return;
    this.alarmAt = next;
    await this.storage.setAlarm(next);
  }

  /** Sets the alarm to exactly what is due next (later or earlier than it was), or clears it. */
  async rearm(): Promise<void> {
    const next = this.nextDue();
    if (next === this.alarmAt) return;
    this.alarmAt = next;
    if (next === null) await this.storage.deleteAlarm();
    else await this.storage.setAlarm(next);
  }

  /** The alarm handler: runs the duties, then sets the alarm for what is due next. */
  async ring(duties: (now: number) => Promise<void>): Promise<void> {
    this.alarmAt = null;
    await duties(Date.now());
    // Always set the next alarm here rather than trust the mirror: an alarm that a request
    // set while this handler was awaiting should not depend on surviving the handler's end.
    this.alarmAt = null;
    await this.rearm();
  }

  private nextDue(): number | null {
    const due = this.due(Date.now()).filter((t): t is number => t !== null);
    return due.length === 0 ? null : Math.min(...due);
  }
}
