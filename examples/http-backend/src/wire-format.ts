// The backend's own wire format: what `POST /api/v1/telemetry` accepts. It belongs to the
// backend, not to OpenTelemetry; the service's encoder (events.ts) produces it.

/** How loud an event is, in the backend's four words. */
export type WireLevel = 'debug' | 'info' | 'warn' | 'error';

/** One event on the wire. */
export interface WireEvent {
  /** The event type, e.g. `order.placed`. */
  type: string;
  /** When it happened, ISO 8601. */
  at: string;
  level: WireLevel;
  /** The event's own fields. */
  data: Record<string, unknown>;
  /** The trace the event belongs to, when a span was active. */
  traceId?: string;
}

/** The request body: `{ "events": [...] }`. */
export interface WireBatch {
  events: WireEvent[];
}
