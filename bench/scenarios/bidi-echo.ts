import type { GreeterClient } from "../../generated/example/greeter/v1/greeter_nats.js";

/**
 * Echoed messages per second on one bidi stream (`chat`): the client sends as
 * fast as the server's credit allows, the server answers each message.
 */
export async function bidiEcho(
  client: GreeterClient,
  count: number,
  size: number,
): Promise<number> {
  const request = { name: "x".repeat(size) };
  async function* requests() {
    for (let i = 0; i < count; i++) yield request;
  }
  let received = 0;
  const started = performance.now();
  for await (const _ of client.chat(requests())) received++;
  if (received !== count) throw new Error(`bidi echo: ${received} of ${count} messages`);
  return (received / (performance.now() - started)) * 1000;
}
