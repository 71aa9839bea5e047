import type { ExportBatchContext, ExportBatchFn } from '../../src/index.js';

/** One call of a {@link ControlledExport}, answered by the test. */
export interface ExportCall<T> {
  readonly batch: T[];
  readonly context: ExportBatchContext;
  /** Settles the export as delivered. */
  resolve(): void;
  /** Fails the export. */
  reject(error: unknown): void;
  /** True once the export's promise settled. */
  readonly done: boolean;
}

/** What a call does when it arrives; the default leaves it pending for the test to answer. */
export type Behaviour<T> = (call: ExportCall<T>) => void;

/**
 * An export function whose calls the test answers by hand, or by a behaviour; records how many
 * exports were in flight at most.
 */
export class ControlledExport<T> {
  readonly calls: ExportCall<T>[] = [];
  behaviour: Behaviour<T> | undefined;
  active = 0;
  maxActive = 0;

  constructor(behaviour?: Behaviour<T>) {
    this.behaviour = behaviour;
  }

  readonly exportBatch: ExportBatchFn<T> = (batch, context) =>
    new Promise<void>((resolvePromise, rejectPromise) => {
      this.active++;
      this.maxActive = Math.max(this.maxActive, this.active);
      let done = false;
      const finish = (): boolean => {
        if (done) return false;
        done = true;
        this.active--;
        return true;
      };
      const call: ExportCall<T> = {
        batch,
        context,
        resolve: () => {
          if (finish()) resolvePromise();
        },
        reject: (error) => {
          if (finish()) rejectPromise(error);
        },
        get done() {
          return done;
        },
      };
      this.calls.push(call);
      this.behaviour?.(call);
    });

  /** Every record of every call, in call order. */
  exportedItems(): T[] {
    return this.calls.flatMap((c) => c.batch);
  }

  /** Calls not answered yet. */
  pending(): ExportCall<T>[] {
    return this.calls.filter((c) => !c.done);
  }
}

/** Answers every call at once. */
export const instant = <T>(call: ExportCall<T>): void => call.resolve();

/** Leaves the call hanging until its signal aborts, then rejects with the abort reason. */
export const hangUntilAborted = <T>(call: ExportCall<T>): void => {
  call.context.signal.addEventListener('abort', () => call.reject(call.context.signal.reason), {
    once: true,
  });
};

/** Numbers 0..n-1, handy as records. */
export function range(n: number, from = 0): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}
