import type { GreeterClient } from "../../generated/example/greeter/v1/greeter_nats.js";

/**
 * Response messages per second of one server stream (`sayHelloStream`), from
 * the first message to the last, with the default credit window.
 */
export async function serverStreaming(
  client: GreeterClient,
  count: number,
  size: number,
): Promise<number> {
  let received = 0;
  let first = 0;
  for await (const _ of client.sayHelloStream({ name: "x".repeat(size), count })) {
    if (received++ === 0) first = performance.now();
  }
  if (received !== count) throw new Error(`server stream: ${received} of ${count} messages`);
  return ((received - 1) / (performance.now() - first)) * 1000;
}
