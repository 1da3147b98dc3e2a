/**
 * A cold-start factory run once per instance: every caller shares the first result; a failure is forgotten so the
 * next call tries again (a failed cold start must not poison the instance forever).
 */
export function once<T>(factory: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (!pending) {
      const started = factory();
      pending = started;
      started.catch(() => {
        if (pending === started) pending = undefined;
      });
    }
    return pending;
  };
}
