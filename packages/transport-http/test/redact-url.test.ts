import { describe, expect, it } from 'vitest';
import { REDACTED, redactUrl } from '../src/index.js';

describe('redactUrl', () => {
  it.each([
    ['https://collector.example.com/v1/logs', 'https://collector.example.com/v1/logs'],
    ['http://127.0.0.1:4318/v1/logs', 'http://127.0.0.1:4318/v1/logs'],
    ['https://user:pass@example.com/x', 'https://[REDACTED]@example.com/x'],
    ['https://apikey@example.com/x', 'https://[REDACTED]@example.com/x'],
    ['https://:pass@example.com/x', 'https://[REDACTED]@example.com/x'],
    ['https://example.com/x?api_key=abc', 'https://example.com/x?api_key=[REDACTED]'],
    [
      'https://example.com/x?token=a&dataset=prod&X-Amz-Signature=f00',
      'https://example.com/x?token=[REDACTED]&dataset=[REDACTED]&X-Amz-Signature=[REDACTED]',
    ],
    ['https://example.com/x?flag', 'https://example.com/x?flag=[REDACTED]'],
    ['https://example.com/x#access_token=abc', 'https://example.com/x'],
    [
      'https://u:p@example.com:8443/a/b?k=v#f',
      'https://[REDACTED]@example.com:8443/a/b?k=[REDACTED]',
    ],
  ])('%s -> %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
    expect(redactUrl(new URL(input))).toBe(expected);
  });

  it.each([
    ['user:pass@host/x?k=v', '[REDACTED]@host/x?k=[REDACTED]'],
    ['https//user:pass@host?token=t#x', 'https//[REDACTED]@host?token=[REDACTED]'],
    ['mailto:ops@example.com', '[REDACTED]@example.com'],
    ['not a url', 'not a url'],
    ['', ''],
  ])('redacts text that does not parse as a URL: %j', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it('never contains a credential or query value of the input', () => {
    const secrets = ['p%40ss', 'p@ss', 's3cr3t', 'T0KEN'];
    const out = redactUrl('https://me:p%40ss@example.com/v1?api_key=s3cr3t&t=T0KEN');
    for (const secret of secrets) expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });
});
