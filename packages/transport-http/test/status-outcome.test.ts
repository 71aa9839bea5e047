import { expect, it } from 'vitest';
import { statusOutcome } from '../src/index.js';

it.each([
  [200, 'delivered'],
  [202, 'delivered'],
  [204, 'delivered'],
  [299, 'delivered'],
  [301, 'permanent'],
  [307, 'permanent'],
  [400, 'permanent'],
  [401, 'permanent'],
  [404, 'permanent'],
  [408, 'retryable'],
  [413, 'too_large'],
  [429, 'retryable'],
  [500, 'retryable'],
  [501, 'permanent'],
  [502, 'retryable'],
  [503, 'retryable'],
  [504, 'retryable'],
  [505, 'permanent'],
  [507, 'retryable'],
  [524, 'retryable'],
])('HTTP %i is %s', (status, outcome) => {
  expect(statusOutcome(status)).toBe(outcome);
});
