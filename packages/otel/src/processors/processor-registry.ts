// The one registry of this package's processors, keyed by the processor and held weakly, so
// that a discarded processor is never kept alive. Two questions go through it:
// - the reporter facade and the diagnostics_channel adapter ask for a processor's control (a
//   flush that reports whether it completed, a shutdown with its own deadline, whether it still
//   accepts records), which OpenTelemetry's processor interface has no room for;
// - the exit handlers ask how many records every live processor still holds, and shut them all
//   down before the providers, so that a record emitted while they drain is counted.
// Only processors of this copy of the package are found: the facade builds its own, and each copy
// that installs exit handlers counts its own processors.

/**
 * What the reporter facade, the diagnostics_channel adapter and the exit handlers need from a
 * processor beyond OpenTelemetry's interface, whose `forceFlush()` resolves to nothing and whose
 * `shutdown()` takes no deadline. Kept off the processor's public type.
 */
export interface ProcessorControl {
  /**
   * Resolves `true` once every record received before the call is exported or dropped (the
   * exporter's own buffer flushed too), `false` when `timeoutMillis` passes first. Rejects only
   * with a `TypeError` for a bad `timeoutMillis`.
   */
  flush(timeoutMillis?: number): Promise<boolean>;
  /** The processor's shutdown with this deadline instead of `shutdownTimeoutMillis`. */
  shutdown(timeoutMillis?: number): Promise<void>;
  /** False once the processor's shutdown has begun. */
  readonly accepting: boolean;
  /** Records queued or in flight. */
  pending(): number;
  /** The processor's own shutdown deadline. */
  readonly shutdownTimeoutMillis: number;
}

const controls = new WeakMap<object, ProcessorControl>();
const live = new Set<WeakRef<object>>();

/** Registers a processor and its control; called from the processor's constructor. */
export function registerProcessor(processor: object, control: ProcessorControl): void {
  controls.set(processor, control);
  live.add(new WeakRef(processor));
}

/** The control of a processor of this package, if `processor` is one. */
export function controlOf(processor: unknown): ProcessorControl | undefined {
  return typeof processor === 'object' && processor !== null ? controls.get(processor) : undefined;
}

/** Records queued or in flight in every live processor of this copy of the package. */
export function pendingRecords(): number {
  let pending = 0;
  for (const ref of live) {
    const processor = ref.deref();
    const control = processor === undefined ? undefined : controls.get(processor);
    if (control === undefined) {
      live.delete(ref);
      continue;
    }
    pending += control.pending();
  }
  return pending;
}

/**
 * Shuts every live processor of this copy of the package down, each within `timeoutMillis` or
 * its own `shutdownTimeoutMillis`, whichever is shorter; resolves when all are done. From then on
 * they count what they are given as `already_shutdown`. Never rejects.
 */
export async function shutdownProcessors(timeoutMillis: number): Promise<void> {
  const shutdowns: Promise<void>[] = [];
  for (const ref of live) {
    const processor = ref.deref();
    const control = processor === undefined ? undefined : controls.get(processor);
    if (control === undefined) continue;
    shutdowns.push(
      control.shutdown(Math.min(timeoutMillis, control.shutdownTimeoutMillis)).catch(() => {}),
    );
  }
  await Promise.all(shutdowns);
}
