import type { RetryOptions } from '@telemetry-reporter/otel';
import { ChildLink } from './child-link.js';
import type {
  EmitterCommand,
  EmitterCondition,
  EmitterConfig,
  EmitterMessage,
  EmitterProcessorOptions,
  EmitterSnapshot,
} from './emitter-protocol.js';

/** How an emitter spools: the values of TELEMETRY_REPORTER_SPOOL_MODE. */
export type SpoolMode = 'fallback' | 'write-ahead';

/** What every emitter of a scenario shares. */
export interface EmitterSettings {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The directory given as TELEMETRY_REPORTER_SPOOL_DIR (the logs spool is its `logs/`). */
  readonly spoolRoot: string;
  readonly processor: EmitterProcessorOptions;
  readonly retry: Required<RetryOptions>;
  readonly sampleEveryMillis: number;
  /** The longest any one step may take before the scenario fails. */
  readonly stepTimeoutMillis: number;
}

/** One emitting process, as the scenario drives it. */
export class Emitter {
  readonly name: string;
  readonly mode: SpoolMode;
  readonly firstId: number;
  readonly startedAt = performance.now();
  /** The latest report, whatever the step. */
  last: EmitterSnapshot | undefined;
  readonly #link: ChildLink<EmitterMessage, EmitterCommand>;
  readonly #timeout: number;

  private constructor(
    name: string,
    mode: SpoolMode,
    firstId: number,
    link: ChildLink<EmitterMessage, EmitterCommand>,
    timeout: number,
  ) {
    this.name = name;
    this.mode = mode;
    this.firstId = firstId;
    this.#link = link;
    this.#timeout = timeout;
  }

  /** Forks an emitter on the shared spool and waits until it is set up. */
  static async start(
    settings: EmitterSettings,
    name: string,
    mode: SpoolMode,
    ids: { readonly firstId: number; readonly idCount: number },
  ): Promise<Emitter> {
    const config: EmitterConfig = {
      name,
      url: settings.url,
      headers: settings.headers,
      firstId: ids.firstId,
      idCount: ids.idCount,
      processor: settings.processor,
      retry: settings.retry,
      sampleEveryMillis: settings.sampleEveryMillis,
    };
    const link = new ChildLink<EmitterMessage, EmitterCommand>(
      name,
      new URL('./emitter-process.js', import.meta.url),
      {
        ...process.env,
        SOAK_EMITTER_CONFIG: JSON.stringify(config),
        // The spool, as an operator turns it on for a service: no code change.
        TELEMETRY_REPORTER_SPOOL_DIR: settings.spoolRoot,
        TELEMETRY_REPORTER_SPOOL_MODE: mode,
      },
      ['--expose-gc'],
    );
    const emitter = new Emitter(name, mode, ids.firstId, link, settings.stepTimeoutMillis);
    emitter.last = (await link.next('ready', settings.stepTimeoutMillis)).snapshot;
    return emitter;
  }

  get pid(): number {
    return this.#link.pid;
  }

  /** Emits `count` more records at `ratePerSecond` (0: a burst) and waits until they are. */
  async emit(count: number, ratePerSecond: number): Promise<EmitterSnapshot> {
    this.#link.send({ type: 'emit', count, ratePerSecond });
    return this.#keep((await this.#link.next('emitted', this.#timeout)).snapshot);
  }

  /** `forceFlush()`: every record exported or spooled. */
  async flush(): Promise<EmitterSnapshot> {
    this.#link.send({ type: 'flush' });
    return this.#keep((await this.#link.next('flushed', this.#timeout)).snapshot);
  }

  /** Asks the emitter to report once `condition` holds; await the result when needed. */
  waitFor(condition: EmitterCondition): Promise<EmitterSnapshot> {
    this.#link.send({ type: 'await', condition });
    return this.#awaitReached(condition);
  }

  /** SIGKILL: no handler runs, nothing is flushed. Resolves once the process is gone. */
  async kill(): Promise<StopResult> {
    const exit = await this.#link.kill('SIGKILL');
    return { ...exit, shutdownMillis: undefined, lifetimeMillis: this.#lifetime() };
  }

  /** SIGTERM: the emitter shuts its provider down, reports, and exits. */
  async stop(): Promise<StopResult> {
    const stopped = this.#link.next('stopped', this.#timeout);
    await this.#link.kill('SIGTERM');
    const message = await stopped;
    this.#keep(message.snapshot);
    const exit = await this.#link.whenExited();
    return { ...exit, shutdownMillis: message.shutdownMillis, lifetimeMillis: this.#lifetime() };
  }

  /** Kills the process if it still runs (a failed scenario's cleanup). */
  async dispose(): Promise<void> {
    await this.#link.kill('SIGKILL');
  }

  async #awaitReached(condition: EmitterCondition): Promise<EmitterSnapshot> {
    const message = await this.#link.next(
      'reached',
      this.#timeout,
      (reached) => reached.condition === condition,
    );
    return this.#keep(message.snapshot);
  }

  #keep(snapshot: EmitterSnapshot): EmitterSnapshot {
    this.last = snapshot;
    return snapshot;
  }

  #lifetime(): number {
    return performance.now() - this.startedAt;
  }
}

/** How an emitter ended. */
export interface StopResult {
  readonly code: number | null;
  readonly signal: string | null;
  /** How long `provider.shutdown()` took, for a graceful stop. */
  readonly shutdownMillis: number | undefined;
  readonly lifetimeMillis: number;
}
