// Work that would block the event loop for long (encoding a large batch) is cut into slices.
// All sliced work of the process shares one budget per turn of the event loop: once it is spent,
// the next slice, of whichever export, waits for a turn of its own, and turns are handed out one
// per loop iteration. So exports slicing at once never run more than a budget back to back, and
// the longest block stays about one budget, whatever maxConcurrentExports is.

/** How long sliced work may run per turn of the event loop, in milliseconds. */
export const SLICE_BUDGET_MILLIS = 0.15;

// Captured at load: a test's fake timers must not stall the export pipeline, and the loop's own
// turns are what this paces against.
const schedule: (callback: () => void) => void = globalThis.setImmediate;

const waiting: (() => void)[] = [];
let granting = false;
let spent = 0;
let turnEndScheduled = false;

/** Milliseconds of sliced work left in the current turn (negative once overspent). */
export function sliceBudgetLeft(): number {
  return SLICE_BUDGET_MILLIS - spent;
}

/** Counts `millis` of sliced work against the current turn. */
function chargeSlice(millis: number): void {
  spent += millis;
  if (!turnEndScheduled) {
    turnEndScheduled = true;
    schedule(endTurn);
  }
}

/** Runs `work` and counts its time, thrown or not, against the current turn's budget. */
export function timedSlice<T>(work: () => T): T {
  const startedAt = performance.now();
  try {
    return work();
  } finally {
    chargeSlice(performance.now() - startedAt);
  }
}

/**
 * Resolves on a later turn of the event loop, after I/O and timers had their chance, with the
 * turn's budget fresh; one waiter per turn, first come first served.
 */
export function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => {
    waiting.push(resolve);
    if (!granting) {
      granting = true;
      schedule(grantTurn);
    }
  });
}

function endTurn(): void {
  spent = 0;
  turnEndScheduled = false;
}

function grantTurn(): void {
  const next = waiting.shift();
  // Scheduled from inside the check phase, the next immediate runs on the next iteration.
  if (waiting.length > 0) schedule(grantTurn);
  else granting = false;
  spent = 0;
  next?.();
}
