/**
 * A request body of `total` bytes (spaces) in 64 kB chunks, with no Content-Length: what a
 * chunked upload looks like to a route handler. `state.pulled` counts the bytes the reader
 * asked for, so a test can prove a handler stopped reading at its limit.
 */
export function chunkedBody(total: number): { stream: ReadableStream<Uint8Array>; state: { pulled: number } } {
  const state = { pulled: 0 };
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled >= total) return controller.close();
      state.pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, state };
}

/** `init` for a streamed request body (Node's fetch needs `duplex: 'half'`, which TS's RequestInit lacks). */
export function streamedInit(init: RequestInit & { body: BodyInit }): RequestInit {
  return { ...init, duplex: 'half' } as RequestInit;
}
