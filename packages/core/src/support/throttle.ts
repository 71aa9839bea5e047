/** How often a rate-limited warning may repeat unless configured: one line per 10 s. */
export const WARNING_INTERVAL_MILLIS = 10_000;

/**
 * Lets an occurrence through at most once per interval, counting those held back in between:
 * the one primitive behind every rate-limited warning, so a failing backend or a broken exporter
 * cannot turn into a log storm.
 */
export class Throttle {
  readonly #intervalMillis: number;
  #lastPassedAt = Number.NEGATIVE_INFINITY;
  #heldBack = 0;

  /** `intervalMillis` 0 lets every occurrence through. */
  constructor(intervalMillis: number) {
    this.#intervalMillis = intervalMillis;
  }

  /**
   * Notes one occurrence. Returns how many occurred since the last one let through, this one
   * included, when it is let through; 0 when it is held back.
   */
  pass(): number {
    this.#heldBack++;
    const now = Date.now();
    if (now - this.#lastPassedAt < this.#intervalMillis) return 0;
    this.#lastPassedAt = now;
    const count = this.#heldBack;
    this.#heldBack = 0;
    return count;
  }
}
