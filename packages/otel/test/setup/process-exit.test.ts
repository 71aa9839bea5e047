import { expect, it } from 'vitest';
import { runFixture } from '../helpers/child-process.js';

it('lets a process that registered the processors exit on its own', {
  timeout: 20_000,
}, async () => {
  const result = await runFixture('idle-app.mjs', { killAfterMillis: 15_000 });
  expect(result.stderr).toBe('');
  // killed by the hang guard, it would report signal SIGKILL and code null
  expect(result.signal).toBeNull();
  expect(result.code).toBe(0);
  // the record and the span were still queued: the scheduled-delay timer was armed, and unref'd
  expect(JSON.parse(result.stdout)).toEqual({ logs: 1, spans: 1 });
});
