import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Holder } from './batch-names.js';
import { crc32 } from './crc32.js';

/** Spool instances open in this process: their leases are alive whatever the clock says. */
const openInstances = new Set<string>();

/** A new holder identity for a spool instance of this process. */
export function newHolder(): Holder {
  return { host: hostTag(), pid: process.pid, instance: randomBytes(8).toString('hex') };
}

/** Marks an instance of this process open (its leases are alive) or closed. */
export function setInstanceOpen(instance: string, open: boolean): void {
  if (open) openInstances.add(instance);
  else openInstances.delete(instance);
}

/**
 * Whether the holder of a lease or temporary file is known to be gone: an instance of this process
 * that is no longer open (a spool closed without giving its leases back, or a previous container
 * that ran under the same pid and host name), or a process of this host that no longer exists.
 * A holder on another host, or a pid that exists, is not known to be gone: only the lease timeout
 * recovers those. A pid that was reused by an unrelated process looks alive, too.
 */
export function isHolderGone(holder: Holder, self: Holder): boolean {
  if (openInstances.has(holder.instance)) return false;
  if (holder.host !== self.host) return false;
  if (holder.pid === self.pid) return true;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException | undefined)?.code === 'ESRCH';
  }
}

let cachedHostTag: string | undefined;

function hostTag(): string {
  if (cachedHostTag === undefined) {
    let name = '';
    try {
      name = hostname();
    } catch {
      // no host name: every holder of this machine shares the empty tag, as they should
    }
    cachedHostTag = crc32(Buffer.from(name, 'utf8')).toString(16).padStart(8, '0');
  }
  return cachedHostTag;
}
