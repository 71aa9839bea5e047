import { expect, it } from 'vitest';
import { SDK_LINE, SDK_VERSIONS } from '#sdk';

// Guards the harness itself: OTEL_SDK_LINE=3 must really run the suite on SDK 3.x.
it('runs against the SDK line the environment asks for', () => {
  const expected = process.env.OTEL_SDK_LINE === '3' ? 3 : 2;
  expect(SDK_LINE).toBe(expected);
  expect(SDK_VERSIONS['sdk-logs']).toMatch(expected === 3 ? /^3\./ : /^0\.2\d\d\./);
  expect(SDK_VERSIONS.api).toMatch(expected === 3 ? /^1\.10\./ : /^1\.9\./);
});
