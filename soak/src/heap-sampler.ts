/** What the heap did during a run. */
export interface HeapSummary {
  /** Largest `heapUsed` seen by the periodic sampler (no forced GC), in bytes. */
  readonly peakBytes: number;
  /** Periodic samples taken. */
  readonly samples: number;
  /** Whether checkpoints ran a full GC first (`node --expose-gc`). */
  readonly gcAtCheckpoints: boolean;
  /** `heapUsed` at each checkpoint: after a full GC when available. */
  readonly checkpoints: readonly { readonly records: number; readonly bytes: number }[];
  /**
   * Least-squares slope of the checkpoints after the first (which is taken while the queue and
   * the connection pool still fill up), in bytes per million records emitted.
   */
  readonly slopeBytesPerMillionRecords: number;
}

/** Samples `process.memoryUsage().heapUsed`: periodically for the peak, and at checkpoints. */
export class HeapSampler {
  readonly #gc: (() => void) | undefined;
  readonly #checkpoints: { records: number; bytes: number }[] = [];
  #peak = 0;
  #samples = 0;

  constructor() {
    const gc = (globalThis as { gc?: unknown }).gc;
    this.#gc = typeof gc === 'function' ? (gc as () => void) : undefined;
  }

  sample(): void {
    this.#samples++;
    this.#peak = Math.max(this.#peak, process.memoryUsage().heapUsed);
  }

  /** A checkpoint after `records` were emitted; a full GC first when exposed. */
  checkpoint(records: number): void {
    this.sample(); // before the GC: the peak is what the process really held
    this.#gc?.();
    this.#checkpoints.push({ records, bytes: process.memoryUsage().heapUsed });
  }

  summary(): HeapSummary {
    return {
      peakBytes: this.#peak,
      samples: this.#samples,
      gcAtCheckpoints: this.#gc !== undefined,
      checkpoints: [...this.#checkpoints],
      slopeBytesPerMillionRecords: slope(this.#checkpoints.slice(1)) * 1e6,
    };
  }
}

/** Least-squares slope of bytes over records; 0 with fewer than two points. */
function slope(points: readonly { records: number; bytes: number }[]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const meanX = points.reduce((sum, p) => sum + p.records, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.bytes, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.records - meanX) * (p.bytes - meanY);
    den += (p.records - meanX) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
