/**
 * Waits for something that happens in the background (a witness cosigning, a follower catching up): polls `probe`
 * until it gives a value other than undefined or false, and resolves with it; fails naming `what` after `ms`.
 */
export async function eventually<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what = 'the condition',
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: did not hold within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
