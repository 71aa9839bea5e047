import { existsSync } from 'node:fs';
import { mkdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileSpool } from '../../src/spool/index.js';
import {
  filesIn,
  leaseEach,
  recordingLogger,
  unaccountedOwnRecords,
  useScratchSpools,
  watchUnhandledRejections,
} from './spool-helpers.js';

const suite = useScratchSpools({ rescanIntervalMillis: 0 });
const { spool } = suite;

/** Writes `count` batches with a first instance and closes it; returns the file names, oldest first. */
async function writeBatches(count: number, recordCount = 5): Promise<string[]> {
  const writer = spool();
  for (let i = 0; i < count; i++) {
    await writer.write({
      payload: `payload number ${i} `.repeat(20),
      contentType: 'text/plain',
      recordCount,
    });
  }
  await writer.close();
  return filesIn(suite.directory);
}

async function flipByte(name: string, at: number): Promise<void> {
  const path = join(suite.directory, name);
  const bytes = await readFile(path);
  bytes[at] = (bytes[at] as number) ^ 0x40;
  await writeFile(path, bytes);
}

const leaseAll = (target: FileSpool): Promise<unknown[]> =>
  leaseEach(target, (batch) => batch.payload);

describe('unreadable files', () => {
  it('moves aside and counts every kind of damage, replays the rest, and never throws', async () => {
    const rejections = watchUnhandledRejections();
    const names = await writeBatches(8);
    const [payloadFlip, headerFlip, truncated, cutHeader, zeroLength, future, appended] = names as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    await flipByte(payloadFlip, 200); // in the payload
    await flipByte(headerFlip, 13); // in the record count
    await truncate(join(suite.directory, truncated), 150); // the tail cut
    await truncate(join(suite.directory, cutHeader), 30); // cut inside the header
    await truncate(join(suite.directory, zeroLength), 0);
    const futureBytes = await readFile(join(suite.directory, future));
    futureBytes.writeUInt16LE(2, 4); // format version 2
    await writeFile(join(suite.directory, future), futureBytes);
    await writeFile(join(suite.directory, appended), 'junk', { flag: 'a' });
    // Foreign files: not ours by name; a directory is left alone.
    await writeFile(join(suite.directory, 'notes.txt'), 'hello');
    await writeFile(join(suite.directory, '0001-bad.batch'), 'not a batch');
    await mkdir(join(suite.directory, 'somebody-elses-folder'));
    const logger = recordingLogger();
    const reader = spool({ logger });

    const replayed = await leaseAll(reader);

    expect(replayed).toEqual([`payload number 7 `.repeat(20)]);
    const stats = reader.stats();
    expect(stats.corrupt.files).toBe(9);
    // Records are counted where the header could be trusted: payload flip, truncated tail, appended.
    expect(stats.corrupt.records).toBe(15);
    expect(stats.corrupt.ownRecords).toBe(0);
    expect(stats.files).toBe(0);
    expect(filesIn(suite.directory)).toEqual([]);
    expect(filesIn(join(suite.directory, 'corrupt'))).toEqual(
      [
        payloadFlip,
        headerFlip,
        truncated,
        cutHeader,
        zeroLength,
        future,
        appended,
        'notes.txt',
        '0001-bad.batch',
      ].sort(),
    );
    expect(existsSync(join(suite.directory, 'somebody-elses-folder'))).toBe(true);
    // One warning at the first, the rest at debug level within the minute.
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(/moved to corrupt\//);
    expect(rejections.stop()).toEqual([]);
  });

  it('names the reason in the log: a later format version', async () => {
    const [name] = (await writeBatches(1)) as [string];
    const bytes = await readFile(join(suite.directory, name));
    bytes.writeUInt16LE(7, 4);
    await writeFile(join(suite.directory, name), bytes);
    const logger = recordingLogger();
    expect(await spool({ logger }).lease()).toBeUndefined();
    expect(logger.warnings[0]).toContain('written by a later version of the format');
  });

  it('counts a damaged file this instance wrote, met at lease, with its own records', async () => {
    const target = spool();
    await target.write({ payload: 'x'.repeat(500), contentType: 'text/plain', recordCount: 11 });
    await target.write({ payload: 'fine', contentType: 'text/plain', recordCount: 2 });
    const [first] = filesIn(suite.directory) as [string];
    await flipByte(first, 300);
    const lease = await target.lease();
    expect(lease?.batch.payload).toBe('fine');
    expect(target.stats()).toMatchObject({
      corrupt: { files: 1, records: 11, ownRecords: 11 },
      ownRecords: 2,
    });
    expect(unaccountedOwnRecords(target.stats())).toBe(0);
  });

  it('catches every single-byte change and every truncation of a file', async () => {
    const [name] = (await writeBatches(1)) as [string];
    const original = await readFile(join(suite.directory, name));
    const { decodeBatch } = await import('../../src/spool/batch-format.js');
    expect('problem' in decodeBatch(original)).toBe(false);
    for (let at = 0; at < original.length; at++) {
      const damaged = Buffer.from(original);
      damaged[at] = (damaged[at] as number) ^ 0x01;
      expect(decodeBatch(damaged), `byte ${at}`).toHaveProperty('problem');
    }
    for (let length = 0; length < original.length; length++) {
      expect(decodeBatch(original.subarray(0, length)), `length ${length}`).toHaveProperty(
        'problem',
      );
    }
  });

  it('keeps at most 64 files in corrupt/, deleting the oldest', async () => {
    await mkdir(suite.directory, { recursive: true });
    for (let i = 0; i < 70; i++) {
      await writeFile(join(suite.directory, `junk-${String(i).padStart(3, '0')}`), 'x');
    }
    const target = spool();
    expect(await target.lease()).toBeUndefined();
    expect(target.stats().corrupt.files).toBe(70);
    const kept = filesIn(join(suite.directory, 'corrupt'));
    expect(kept).toHaveLength(64);
    expect(kept[0]).toBe('junk-006');
  });
});
