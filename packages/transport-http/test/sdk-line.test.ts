import * as transformer from '@opentelemetry/otlp-transformer';
import { expect, it } from 'vitest';
import { JsonLogsSerializer, ProtobufTraceSerializer, SDK_LINE, SDK_VERSIONS } from '#sdk';

// Guards the harness: OTEL_SDK_LINE=3 must compare the OTLP encoders with the 0.30x transformer,
// the same copy the SDK 3 harness uses, and the default line with the 0.2xx one.
it('runs against the SDK line and transformer the environment asks for', () => {
  const expected = process.env.OTEL_SDK_LINE === '3' ? 3 : 2;
  expect(SDK_LINE).toBe(expected);
  expect(SDK_VERSIONS['otlp-transformer']).toMatch(expected === 3 ? /^0\.30\d\./ : /^0\.2\d\d\./);
  // what a test imports by name is the harness's copy
  expect(transformer.JsonLogsSerializer).toBe(JsonLogsSerializer);
  expect(transformer.ProtobufTraceSerializer).toBe(ProtobufTraceSerializer);
});
