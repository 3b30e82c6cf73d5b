// A resourceVersion from the future. kube-apiserver waits a moment for its cache to reach it and then answers
// 504 "Too large resource version" (reason Timeout, cause ResourceVersionTooLarge): clients retry after a second.
// The number is the client's: it is compared with the store's revision and never stored anywhere shared.
import { ApiError } from '../errors.js';
import type { Store } from '../store/store.js';

/** How long a request waits for the store to reach a resourceVersion it asked for. */
export const TOO_LARGE_RV_WAIT_MS = 3_000;

export async function awaitRevision(store: Store, rv: number, waitMs = TOO_LARGE_RV_WAIT_MS): Promise<void> {
  let current = await store.currentRevision();
  if (rv <= current) return;
  const deadline = Date.now() + waitMs;
  while (rv > current && Date.now() < deadline) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(100, Math.max(0, deadline - Date.now())));
      const off = store.onChange(done);
      function done() {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
    current = await store.currentRevision();
  }
  if (rv > current) {
    throw new ApiError(504, 'Timeout', `Too large resource version: ${rv}, current: ${current}`, {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      retryAfterSeconds: 1,
    });
  }
}
