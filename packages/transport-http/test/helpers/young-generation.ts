import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Bytes of each string body {@link promotedBodies} sends: large objects, in a space of their own. */
export const BODY_BYTES = 256 * 1024;

/**
 * The garbage collector, for tests that need it (`{ type: 'minor' }` runs a young collection
 * alone): a new context gets `gc` once the flag is set.
 */
export function garbageCollector(): (options?: { type: 'minor' | 'major' }) => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;
}

function largeObjectSpaceBytes(): number {
  const space = getHeapSpaceStatistics().find((s) => s.space_name === 'large_object_space');
  return space?.space_used_size ?? 0;
}

/**
 * How many of `count` string bodies of {@link BODY_BYTES} outlived their send into the old
 * generation: `send` runs once per body, `together` at a time, a young-generation collection
 * after each round. A body still reachable at that collection (from a closure of the request,
 * say) is promoted and stays until a full collection; one let go of is freed by the young
 * collection alone.
 */
export async function promotedBodies(
  send: (body: string) => Promise<void>,
  { count = 20, together = 1 }: { count?: number; together?: number } = {},
): Promise<number> {
  const gc = garbageCollector();
  gc();
  const before = largeObjectSpaceBytes();
  for (let i = 0; i < count; i += together) {
    gc({ type: 'minor' }); // an empty young generation: the round's bodies fit in it
    // Built here, held by nothing of the test's once `send` settles; `together` at a time.
    const sends: Promise<void>[] = [];
    for (let j = i; j < Math.min(count, i + together); j++) {
      sends.push(send(`${'a'.repeat(BODY_BYTES - 8)}${String(j).padStart(8, '0')}`));
    }
    await Promise.all(sends);
    await new Promise((resolve) => setImmediate(resolve));
    gc({ type: 'minor' });
  }
  return Math.round((largeObjectSpaceBytes() - before) / BODY_BYTES);
}
