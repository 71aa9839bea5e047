import {
  BATCH_DEFAULTS,
  type Encoder,
  type SendContext,
  type Transport,
  TransportDelivery,
} from '@telemetry-reporter/core';
import {
  createJsonArrayBytesEncoder,
  createJsonArrayEncoder,
  describeValue,
  millisOption,
  type RecordJsonWriter,
} from '@telemetry-reporter/core/internal';
import { type Environment, type EnvSignal, maxAttemptsFromEnv } from '../environment/env-config.js';
import { spoolFromEnv } from '../environment/spool-env.js';
import { diagLogger } from '../internal/diag-logger.js';
import { inExportScope } from '../internal/export-scope.js';
import { withTracingSuppressed } from '../internal/suppress-tracing.js';
import type { ExporterLike, ExportResultLike } from '../sdk/sdk-types.js';
import {
  type BatchAwareExporter,
  EXPORT_BATCH,
  SPOOL_ACCESS,
  type SpoolAccess,
} from './export-protocol.js';
import { StandardExports } from './standard-exports.js';
import type { TransportExporterOptions } from './transport-exporter-options.js';

/**
 * The exporter behind `TransportLogRecordExporter` and `TransportSpanExporter`. Under a reporter
 * processor it receives the deadline signal (which aborts the send and the backoff) and reports
 * each record's outcome; under any other processor it behaves as a standard OpenTelemetry
 * exporter, each export bounded by `exportTimeoutMillis`.
 */
export class TransportExporterBase<Item> implements ExporterLike<Item> {
  readonly #name: string;
  readonly #delivery: TransportDelivery<Item, unknown>;
  readonly #standard: StandardExports<Item>;
  #shutdown: Promise<void> | undefined;

  /**
   * `options` as the public constructor resolved them from the code and the environment;
   * `writeJson` writes one record of the default JSON payload, when the code gave no encoder.
   */
  protected constructor(
    name: string,
    options: TransportExporterOptions<Item, unknown>,
    writeJson: RecordJsonWriter<Item>,
  ) {
    this.#name = name;
    const transport = options.transport as Transport<unknown>;
    // Only a missing encoder means the default: `null` is a mistake, reported as one.
    const byDefault = options.encoder === undefined;
    const bytes = byDefault && transport?.acceptsBytes === true;
    this.#delivery = new TransportDelivery<Item, unknown>({
      transport: quietTransport(transport, byDefault && !bytes),
      encoder: (byDefault
        ? bytes
          ? createJsonArrayBytesEncoder(writeJson)
          : createJsonArrayEncoder(writeJson)
        : options.encoder) as Encoder<Item, unknown>,
      retry: options.retry,
      logger: diagLogger,
      name,
      ...(options.maxRequestBytes === undefined
        ? {}
        : { maxRequestBytes: options.maxRequestBytes }),
      ...(options.spool == null ? {} : { spool: options.spool }),
      ...(options.spoolMode === undefined ? {} : { spoolMode: options.spoolMode }),
      ...(options.spoolProbeIntervalMillis === undefined
        ? {}
        : { spoolProbeIntervalMillis: options.spoolProbeIntervalMillis }),
    });
    const exportTimeoutMillis = millisOption(
      'exportTimeoutMillis',
      options.exportTimeoutMillis === undefined
        ? BATCH_DEFAULTS.exportTimeoutMillis
        : options.exportTimeoutMillis,
      1,
    );
    this.#standard = new StandardExports<Item>(name, exportTimeoutMillis, (items, context) =>
      this.#delivery.deliver(items, context),
    );
    // The batch-aware entry point is an internal protocol, so it stays out of the public type.
    const exportBatch: BatchAwareExporter<Item>[typeof EXPORT_BATCH] = (items, context) =>
      this.#delivery.deliver(items, context);
    Object.defineProperty(this, EXPORT_BATCH, { value: exportBatch });
    if (this.#delivery.spooling) {
      const delivery = this.#delivery;
      const access: SpoolAccess<Item> = {
        spill: (records, settle) => withTracingSuppressed(() => delivery.spill(records, settle)),
        summary: () => delivery.spoolSummary(),
        abandonWrites: () => delivery.abandonSpoolWrites(),
      };
      Object.defineProperty(this, SPOOL_ACCESS, { value: access });
    }
  }

  /**
   * The OpenTelemetry exporter entry point: delivers `items` within `exportTimeoutMillis` and
   * reports the batch's result.
   */
  export(items: Item[], resultCallback: (result: ExportResultLike) => void): void {
    if (this.#shutdown !== undefined) {
      resultCallback({ code: 1, error: new Error(`${this.#name} is shut down`) });
      return;
    }
    this.#standard.run(items, resultCallback);
  }

  /**
   * Resolves when the exports started through `export()` have reported their result: delivered,
   * failed, or at the latest at their `exportTimeoutMillis`.
   */
  async forceFlush(): Promise<void> {
    await this.#standard.settled();
  }

  /**
   * Aborts the exports still pending through `export()` (their batches are reported failed;
   * call `forceFlush()` first to wait for them), then shuts the transport down. Idempotent;
   * never rejects.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      this.#standard.abortAll();
      await this.#standard.settled();
      await this.#delivery.shutdown();
    })();
    return this.#shutdown;
  }
}

/**
 * Checks a transport exporter's options and applies the environment (read by the public
 * constructor from `env`): `TELEMETRY_REPORTER_MAX_ATTEMPTS` unless the code sets `retry` or its
 * `maxAttempts`, and `TELEMETRY_REPORTER_SPOOL_*` unless the code sets `spool`.
 */
export function resolveTransportExporterOptions<Item>(
  name: string,
  signal: EnvSignal,
  options: TransportExporterOptions<Item, unknown>,
  env: Environment,
): TransportExporterOptions<Item, unknown> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `${name} options must be an object with a transport, got ${describeValue(options)}`,
    );
  }
  let resolved = options;
  const { retry } = options;
  if (retry !== false && retry?.maxAttempts === undefined) {
    const maxAttempts = maxAttemptsFromEnv(env);
    if (maxAttempts !== undefined) resolved = { ...resolved, retry: { ...retry, maxAttempts } };
  }
  // The transport is checked first, so that a bad one creates no spool from the environment.
  if (options.spool === undefined && typeof options.transport?.send === 'function') {
    const fromEnv = spoolFromEnv(signal, env);
    if (fromEnv !== undefined) {
      resolved = {
        ...resolved,
        spool: fromEnv.spool,
        spoolMode: options.spoolMode ?? fromEnv.spoolMode,
      };
    }
  }
  return resolved;
}

/**
 * The transport, its sends run with tracing suppressed and inside the export scope, wherever
 * they start: a replay from the spool starts on a timer, outside the processor's export.
 */
function quietTransport<Payload>(
  transport: Transport<Payload>,
  wantsText: boolean,
): Transport<Payload> {
  if (typeof transport?.send !== 'function') return transport; // the delivery reports it
  // A spool may hold the default payload as bytes, written by a process whose transport took
  // them (`acceptsBytes`): this one's takes strings only.
  const send = wantsText
    ? (payload: Payload, context: SendContext) =>
        transport.send(
          (payload instanceof Uint8Array ? utf8Text(payload) : payload) as Payload,
          context,
        )
    : (payload: Payload, context: SendContext) => transport.send(payload, context);
  const quiet: Transport<Payload> = {
    send: (payload, context) =>
      withTracingSuppressed(() => inExportScope(() => send(payload, context))),
  };
  if (typeof transport.shutdown === 'function') {
    quiet.shutdown = () => transport.shutdown?.() ?? Promise.resolve();
  }
  // The delivery reads it here to know whether payloads may be reused.
  if (transport.releasesPayload === true) {
    return { ...quiet, releasesPayload: true };
  }
  return quiet;
}

function utf8Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
