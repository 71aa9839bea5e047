// Bugs of packages/ that a soak check finds, reported here until they are fixed there (the soak
// does not patch what it tests). A check that fails *with the bug's exact signature* is reported
// as KNOWN BUG and does not fail the run; failing any other way, it fails as usual. Delete the
// entry with the fix: the check then guards against the bug coming back.

/** A known bug: what it is and where. */
export interface KnownBug {
  readonly id: string;
  readonly summary: string;
}

/**
 * Write-ahead mode: when an export's deadline passes while its batch is still being encoded in
 * slices, the deadline handler spools the not-yet-sent records under new batch ids, and the
 * encoding then finishes with a partial payload that is written ahead *again*, under another new
 * id, and left leased (transport-delivery.ts `#send`, `if (context.signal.aborted) return
 * 'settled'` after `await part.written`; payload-encoding.ts `buildInSlices` returns the partial
 * payload after the abort). The spool gives the lease back at close and the next process replays
 * it: those records reach the backend twice under two different idempotency keys, so a receiver
 * that deduplicates by key keeps them twice.
 */
export const WRITE_AHEAD_DEADLINE_REENCODE: KnownBug = {
  id: 'write-ahead-deadline-reencode',
  summary:
    'write-ahead: a batch whose export deadline passes mid-encoding is spooled twice under two batch ids (transport-delivery.ts #send returns after writing ahead a part built after the deadline, without discarding it)',
};
