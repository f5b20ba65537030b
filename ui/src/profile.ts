/**
 * Timings of the scan path (backend calls, drawing the cart, layout) for the end-to-end latency
 * test. Recorded only while the page holds a `window.__tillProfile` array, which only that test
 * sets: the app otherwise records nothing and keeps nothing.
 */
export interface Span {
  name: string;
  ms: number;
}

function sink(): Span[] | undefined {
  return (window as { __tillProfile?: Span[] }).__tillProfile;
}

/** Runs `work`, noting how long it took under `name` when profiling. */
export function timed<T>(name: string, work: () => T): T {
  const spans = sink();
  if (!spans) return work();
  const start = performance.now();
  try {
    return work();
  } finally {
    spans.push({ name, ms: performance.now() - start });
  }
}

/** The same for a promise: from the call to its answer (the IPC round trip for a command). */
export async function timedAsync<T>(name: string, work: () => Promise<T>): Promise<T> {
  const spans = sink();
  if (!spans) return work();
  const start = performance.now();
  try {
    return await work();
  } finally {
    spans.push({ name, ms: performance.now() - start });
  }
}

/** When profiling: forces style and layout now, to note their cost apart from the DOM work. */
export function timeLayout(): void {
  const spans = sink();
  if (!spans) return;
  const start = performance.now();
  void document.body.offsetHeight;
  spans.push({ name: "layout", ms: performance.now() - start });
}
