import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { prefixedLogger, safeRead, Throttle, timeoutMillisError } from '../../src/internal.js';

describe('Throttle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets one occurrence through per interval, with the count held back since the last', () => {
    const throttle = new Throttle(1000);
    expect(throttle.pass()).toBe(1);
    expect(throttle.pass()).toBe(0);
    expect(throttle.pass()).toBe(0);
    vi.advanceTimersByTime(999);
    expect(throttle.pass()).toBe(0);
    vi.advanceTimersByTime(1);
    expect(throttle.pass()).toBe(4);
    expect(throttle.pass()).toBe(0);
  });

  it('with interval 0 lets every occurrence through', () => {
    const throttle = new Throttle(0);
    expect([throttle.pass(), throttle.pass(), throttle.pass()]).toEqual([1, 1, 1]);
  });
});

describe('safeRead', () => {
  it('reads a property, and gives undefined for primitives, null and hostile getters', () => {
    const hostile = Object.defineProperty({}, 'code', {
      get() {
        throw new Error('no');
      },
    });
    const trap = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
      },
    );
    expect(safeRead({ code: 'X' }, 'code')).toBe('X');
    expect(safeRead(hostile, 'code')).toBeUndefined();
    expect(safeRead(trap, 'code')).toBeUndefined();
    expect(safeRead(null, 'code')).toBeUndefined();
    expect(safeRead('text', 'length')).toBeUndefined();
  });
});

describe('prefixedLogger', () => {
  it('prefixes every line with the component name and passes the arguments on', () => {
    const lines: unknown[][] = [];
    const logger = prefixedLogger(
      {
        warn: (...args) => lines.push(['warn', ...args]),
        debug: (...args) => lines.push(['debug', ...args]),
      },
      'Exporter',
    );
    const error = new Error('boom');
    logger.warn('send failed', error);
    logger.debug('retrying');
    expect(lines).toEqual([
      ['warn', 'Exporter: send failed', error],
      ['debug', 'Exporter: retrying'],
    ]);
  });
});

describe('timeoutMillisError', () => {
  it.each([undefined, 0, 1, 2_147_483_647])('accepts %s', (value) => {
    expect(timeoutMillisError(value)).toBeUndefined();
  });
  it.each([-1, 1.5, Number.NaN, '100', null, 2_147_483_648])('names the option for %s', (value) => {
    expect(timeoutMillisError(value)?.message).toMatch(/^timeoutMillis must be an integer/);
  });
});
