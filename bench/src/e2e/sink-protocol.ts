// The IPC messages between the benchmark process and its OTLP sink (sink.ts).

/** What the sink received since the last `take`. */
export interface SinkCounts {
  /** Log records in the requests to `/v1/logs`. */
  logs: number;
  /** Spans in the requests to `/v1/traces`. */
  spans: number;
  /** Requests decoded and answered 200. */
  requests: number;
  /** Request bytes as received (compressed, when they were). */
  bytes: number;
  /** Requests answered 400: wrong path or content-type, or a body that did not decode. */
  failures: number;
  /** Why the last of them failed. */
  lastFailure: string;
}

/** Parent to sink: report the counts since the last `take` and start again from zero. */
export interface SinkRequest {
  readonly type: 'take';
  readonly id: number;
}

/** Sink to parent. */
export type SinkReply =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'counts'; readonly id: number; readonly counts: SinkCounts };
