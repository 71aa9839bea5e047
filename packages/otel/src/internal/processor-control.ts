import type { BatchEngine } from '@telemetry-reporter/core';
import type { ExporterLike } from '../types.js';
import { flushEngineAndExporter } from './processor-engine.js';

/**
 * What the reporter facade and the diagnostics_channel adapter need from a processor beyond
 * OpenTelemetry's interface, whose `forceFlush()` resolves to nothing and whose `shutdown()`
 * takes no deadline. Kept off the processor's public type.
 */
export interface ProcessorControl {
  /**
   * Resolves `true` once every record received before the call is exported or dropped (then
   * flushes the exporter's own buffer), `false` when `timeoutMillis` passes first. Rejects only
   * with a `TypeError` for a bad `timeoutMillis`.
   */
  flush(timeoutMillis?: number): Promise<boolean>;
  /** The processor's shutdown with this deadline instead of `shutdownTimeoutMillis`. */
  shutdown(timeoutMillis?: number): Promise<void>;
  /** False once the processor's shutdown has begun. */
  readonly accepting: boolean;
}

// Keyed by the processor, held weakly; only processors of this copy of the package are found,
// which is all the facade needs: it builds its own.
const controls = new WeakMap<object, ProcessorControl>();

/** Registers the control of `processor`; called from the processor's constructor. */
export function attachControl<T>(
  processor: object,
  name: string,
  engine: BatchEngine<T>,
  exporter: ExporterLike<T>,
): void {
  controls.set(processor, {
    flush: (timeoutMillis) => flushEngineAndExporter(name, engine, exporter, timeoutMillis),
    shutdown: (timeoutMillis) => engine.shutdown(timeoutMillis),
    get accepting() {
      return engine.accepting;
    },
  });
}

/** The control of a processor of this package, if `processor` is one. */
export function controlOf(processor: unknown): ProcessorControl | undefined {
  return typeof processor === 'object' && processor !== null ? controls.get(processor) : undefined;
}
