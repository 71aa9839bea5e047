import {
  PermanentError,
  RetryableError,
  type SendContext,
  type Transport,
} from '../../src/index.js';

/**
 * What one `send` does, taken in order from the script:
 * - `'ok'`: resolves (delivered);
 * - `'retryable'`: rejects with a {@link RetryableError} without Retry-After;
 * - `{ retryAfterMillis }`: rejects with a {@link RetryableError} carrying that Retry-After;
 * - `'permanent'`: rejects with a {@link PermanentError};
 * - `'plain-error'`: rejects with a plain `Error`;
 * - `'throw-sync'`: throws a plain `Error` synchronously, before returning any promise;
 * - `'hang'`: never settles on its own; rejects with the abort reason once the signal aborts.
 */
export type ScriptedOutcome =
  | 'ok'
  | 'retryable'
  | { readonly retryAfterMillis: number }
  | 'permanent'
  | 'plain-error'
  | 'throw-sync'
  | 'hang';

/** One call of `send`, as the transport saw it. */
export interface RecordedSend<Payload> {
  readonly payload: Payload;
  readonly attempt: number;
  readonly recordCount: number;
  readonly signal: AbortSignal;
  readonly outcome: ScriptedOutcome;
}

/** Options of {@link ScriptedTransport}. */
export interface ScriptedTransportOptions {
  /** What `send` does once the script is used up. */
  readonly fallback?: ScriptedOutcome;
  /** Makes `shutdown` reject. */
  readonly shutdownThrows?: boolean;
}

/** An in-memory transport whose sends follow a script and are all recorded. */
export class ScriptedTransport<Payload> implements Transport<Payload> {
  readonly sends: RecordedSend<Payload>[] = [];
  readonly #script: ScriptedOutcome[];
  readonly #fallback: ScriptedOutcome;
  readonly #shutdownThrows: boolean;
  shutdownCalls = 0;

  constructor(script: readonly ScriptedOutcome[] = [], options: ScriptedTransportOptions = {}) {
    this.#script = [...script];
    this.#fallback = options.fallback ?? 'ok';
    this.#shutdownThrows = options.shutdownThrows ?? false;
  }

  /** Appends outcomes to the script. */
  script(...outcomes: ScriptedOutcome[]): void {
    this.#script.push(...outcomes);
  }

  send(payload: Payload, context: SendContext): Promise<void> {
    const outcome = this.#script.shift() ?? this.#fallback;
    const { signal, attempt, recordCount } = context;
    this.sends.push({ payload, attempt, recordCount, signal, outcome });
    if (outcome === 'throw-sync') throw new Error('scripted synchronous throw');
    if (outcome === 'hang') {
      return new Promise<void>((_resolve, reject) => {
        const onAbort = (): void => reject(signal.reason);
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
    }
    return Promise.resolve().then(() => {
      if (outcome === 'ok') return;
      if (outcome === 'retryable') throw new RetryableError('scripted retryable failure');
      if (outcome === 'permanent') throw new PermanentError('scripted permanent failure');
      if (outcome === 'plain-error') throw new Error('scripted plain failure');
      throw new RetryableError('scripted retryable failure with Retry-After', {
        retryAfterMillis: outcome.retryAfterMillis,
      });
    });
  }

  async shutdown(): Promise<void> {
    this.shutdownCalls++;
    if (this.#shutdownThrows) throw new Error('scripted shutdown failure');
  }

  /** The attempt numbers of every send, in order. */
  attempts(): number[] {
    return this.sends.map((s) => s.attempt);
  }
}
