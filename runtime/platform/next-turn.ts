/**
 * Runs a callback in the event loop's next turn, after pending I/O: Node's and
 * Bun's `setImmediate` where there is one, a `MessageChannel` message in
 * browsers and Deno (a zero `setTimeout` would be clamped to 4 ms once nested).
 */
export const nextTurn: (callback: () => void) => void =
  typeof globalThis.setImmediate === "function"
    ? (callback) => {
        setImmediate(callback);
      }
    : viaMessageChannel();

function viaMessageChannel(): (callback: () => void) => void {
  const queue: (() => void)[] = [];
  let channel: InstanceType<typeof MessageChannel> | undefined;
  return (callback) => {
    if (channel === undefined) {
      // Made on first use: an open port can keep a process alive.
      channel = new MessageChannel();
      channel.port1.addEventListener("message", () => queue.shift()?.());
      channel.port1.start();
    }
    queue.push(callback);
    channel.port2.postMessage(undefined);
  };
}
