import type { BatchDefect, BatchHeader } from './batch-format.js';
import { decodeHeader, MAX_HEADER_BYTES } from './batch-format.js';
import type { SpoolFileHandle, SpoolFileSystem } from './spool-types.js';

/**
 * Writes `header` and `payload` to a new file at `temp` (which must not exist), optionally
 * fsyncs it, and renames it to `target`. Resolves `undefined` on success, or the first error; on
 * an error the temporary file is deleted (best effort) and `target` was not touched.
 */
export async function persistFile(
  fs: SpoolFileSystem,
  temp: string,
  target: string,
  header: Uint8Array,
  payload: Uint8Array,
  fsync: boolean,
): Promise<unknown> {
  let handle: SpoolFileHandle;
  try {
    handle = await fs.open(temp, 'wx', 0o600);
  } catch (error) {
    return error ?? new Error('open failed');
  }
  let failure: unknown;
  try {
    await writeFully(handle, header, payload);
    if (fsync) await handle.datasync();
  } catch (error) {
    failure = error ?? new Error('write failed');
  }
  try {
    // Network file systems may report a failed write only here.
    await handle.close();
  } catch (error) {
    failure ??= error ?? new Error('close failed');
  }
  if (failure === undefined) {
    try {
      await fs.rename(temp, target);
    } catch (error) {
      failure = error ?? new Error('rename failed');
    }
  }
  if (failure !== undefined) {
    try {
      await fs.unlink(temp);
    } catch {
      // already gone, or the directory is: nothing left to clean
    }
  }
  return failure;
}

async function writeFully(
  handle: SpoolFileHandle,
  header: Uint8Array,
  payload: Uint8Array,
): Promise<void> {
  const total = header.length + payload.length;
  let written = (await handle.writev([header, payload], 0)).bytesWritten;
  // A short write is rare for a regular file, but allowed: write what is left.
  while (written < total) {
    const inHeader = written < header.length;
    const buffer = inHeader ? header : payload;
    const offset = inHeader ? written : written - header.length;
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset, written);
    if (!(bytesWritten > 0)) throw new Error(`short write: ${written} of ${total} bytes`);
    written += bytesWritten;
  }
}

/** The header of the file at `path` and the file's size; rejects as the file system does. */
export async function readHeaderOf(
  fs: SpoolFileSystem,
  path: string,
): Promise<{ header: BatchHeader | BatchDefect; size: number }> {
  const handle = await fs.open(path, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.min(size, MAX_HEADER_BYTES));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return { header: decodeHeader(buffer.subarray(0, bytesRead)), size };
  } finally {
    await handle.close();
  }
}

/**
 * The whole file at `path`, expected to be `expectedSize` bytes: open, one read, close (no stat).
 * A file longer than expected comes back one byte longer, enough for its check to fail.
 */
export async function readFileOf(
  fs: SpoolFileSystem,
  path: string,
  expectedSize: number,
): Promise<Uint8Array> {
  const handle = await fs.open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafeSlow(expectedSize + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}
