// File names of a spool directory. Fixed-width lowercase hex, so that names sort oldest first:
//
//   <created:12>-<seq:8>-<writer:16>.batch                          ready to replay
//   <created:12>-<seq:8>-<writer:16>.batch.<holder>.<leasedAt:12>.lease   leased
//   <created:12>-<seq:8>-<writer:16>.batch.<holder>.tmp                   being written
//
// where <holder> is <host:8>-<pid>-<instance:16>. A lease is taken by renaming the ready name to
// a lease name (atomic: of two processes, one wins, the other gets ENOENT), and given back by the
// opposite rename. The holder and the lease time in the name let any process judge a lease
// without opening the file.

/** Who holds a lease or writes a temporary file. */
export interface Holder {
  /** 8 hex digits derived from the host name: pids are only comparable on the same host. */
  readonly host: string;
  readonly pid: number;
  /** 16 hex digits, random per spool instance. */
  readonly instance: string;
}

/** A lease file name, taken apart. */
export interface LeaseName {
  /** The ready name it came from. */
  readonly ready: string;
  readonly holder: Holder;
  readonly leasedAt: number;
}

/** A temporary file name, taken apart. */
export interface TempName {
  readonly ready: string;
  readonly holder: Holder;
  readonly createdAt: number;
}

const STEM = '([0-9a-f]{12})-[0-9a-f]{8}-[0-9a-f]{16}\\.batch';
const HOLDER = '([0-9a-f]{8})-([1-9][0-9]{0,9})-([0-9a-f]{16})';
const READY = new RegExp(`^${STEM}$`);
const LEASE = new RegExp(`^(${STEM})\\.${HOLDER}\\.([0-9a-f]{12})\\.lease$`);
const TEMP = new RegExp(`^(${STEM})\\.${HOLDER}\\.tmp$`);
/** The largest time a 12-digit hex field holds (year 10889). */
const MAX_TIME = 0xffff_ffff_ffff;

/** The ready name of the `sequence`-th batch `instance` wrote at `createdAt`. */
export function readyName(createdAt: number, sequence: number, instance: string): string {
  return `${hex(clampTime(createdAt), 12)}-${hex(sequence >>> 0, 8)}-${instance}.batch`;
}

/** The name `ready` takes while `holder` leases it from `leasedAt`. */
export function leaseName(ready: string, holder: Holder, leasedAt: number): string {
  return `${ready}.${holderTag(holder)}.${hex(clampTime(leasedAt), 12)}.lease`;
}

/** The name `ready` is written under by `holder` before it is renamed into place. */
export function tempName(ready: string, holder: Holder): string {
  return `${ready}.${holderTag(holder)}.tmp`;
}

/** Whether `name` is a ready batch file. */
export function isReadyName(name: string): boolean {
  return READY.test(name);
}

/** Takes a lease name apart; `undefined` when `name` is not one. */
export function parseLeaseName(name: string): LeaseName | undefined {
  const match = LEASE.exec(name);
  if (match === null) return undefined;
  const [, ready, , host, pid, instance, leasedAt] = match as unknown as string[];
  return {
    ready: ready as string,
    holder: { host: host as string, pid: Number(pid), instance: instance as string },
    leasedAt: Number.parseInt(leasedAt as string, 16),
  };
}

/** Takes a temporary name apart; `undefined` when `name` is not one. */
export function parseTempName(name: string): TempName | undefined {
  const match = TEMP.exec(name);
  if (match === null) return undefined;
  const [, ready, createdAt, host, pid, instance] = match as unknown as string[];
  return {
    ready: ready as string,
    holder: { host: host as string, pid: Number(pid), instance: instance as string },
    createdAt: Number.parseInt(createdAt as string, 16),
  };
}

/** A time as the names carry it: whole milliseconds, within the field. */
export function clampTime(millis: number): number {
  return Number.isFinite(millis) ? Math.min(Math.max(Math.floor(millis), 0), MAX_TIME) : 0;
}

function holderTag(holder: Holder): string {
  return `${holder.host}-${holder.pid}-${holder.instance}`;
}

function hex(value: number, digits: number): string {
  return value.toString(16).padStart(digits, '0');
}
