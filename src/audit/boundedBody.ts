/**
 * An HTTP answer's body read up to a limit: what the ledger fetches from other parties (a witness's answer, a
 * mirror's tile) is read only as far as it may be long, so a hostile or broken server cannot make it hold more.
 */

/** The body's bytes, or null once it passes `limit` bytes (the rest is cancelled, not read). */
export async function boundedBody(response: Response, limit: number): Promise<Buffer | null> {
  const reader = response.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return Buffer.concat(chunks, length);
}
