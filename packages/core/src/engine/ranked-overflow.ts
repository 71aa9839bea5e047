import type { OverflowPolicy } from './batch-options.js';
import type { SeverityQueue } from './severity-queue.js';

/**
 * Decides, for a ranked queue that has no room for an arriving record of class `severity` and
 * byte estimate `bytes`, whether evicting under `policy` can make room for it. When it returns
 * true the caller evicts (oldest first, or lowest class first) until the record fits; when false
 * the arriving record is dropped and nothing is evicted: evicting records and then dropping the
 * arriving one anyway would lose records for nothing.
 *
 * - `drop_newest`: never evicts.
 * - `drop_oldest`: always can, since a record larger than `maxBytes` is refused on arrival.
 * - `drop_lowest_severity`: only records of classes strictly below `severity` may go; they must
 *   free a slot (some exist, when the queue is full) and enough bytes (their sum, when over the
 *   byte limit). O(1): the classes present are a bit mask, their byte sums kept per class.
 */
export function canMakeRoom<T>(
  queue: SeverityQueue<T>,
  severity: number,
  bytes: number,
  maxBytes: number,
  policy: OverflowPolicy,
): boolean {
  if (bytes > maxBytes || policy === 'drop_newest') return false;
  if (policy === 'drop_oldest') return true;
  // By count: evicting frees a slot exactly when some queued record ranks lower.
  if (queue.lowestSeverity() >= severity) return false;
  // By bytes, only when over the byte limit: would evicting every lower record be enough?
  const total = queue.bytes;
  return total + bytes <= maxBytes || total - queue.bytesBelow(severity) + bytes <= maxBytes;
}
