import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { crc32, crc32Js, createFileSpool } from '../../src/spool/index.js';
import { scratchDirectory } from './spool-helpers.js';

// Node 20.6 to 20.14 have no zlib.crc32: the spool must work with its own.
vi.mock('node:zlib', async (importOriginal) => ({
  ...(await importOriginal<typeof import('node:zlib')>()),
  crc32: undefined,
}));

it('uses the JS CRC-32 where zlib has none, and round-trips batches with it', async () => {
  expect(crc32).toBe(crc32Js);
  const scratch = await scratchDirectory();
  const spool = createFileSpool({ directory: join(scratch.path, 'spool'), fsync: false });
  try {
    await spool.write({
      payload: 'checked by the fallback',
      contentType: 'text/plain',
      recordCount: 1,
    });
    const lease = await spool.lease();
    expect(lease?.batch.payload).toBe('checked by the fallback');
    expect(spool.stats().corrupt.files).toBe(0);
  } finally {
    await spool.close();
    await scratch.remove();
  }
});
