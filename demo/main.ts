// `npm run demo`: two instances of a generated service on NATS, typed calls of
// every RPC shape through the generated client, errors with codes, and typed
// events shared by a queue group and stored durably in JetStream.
import { jetstreamManager } from "@nats-io/jetstream";
import { nuid } from "@nats-io/transport-node";
import {
  createGreeterClient,
  defineGreeter,
} from "../generated/example/greeter/v1/greeter_nats.js";
import {
  createOrderServiceClient,
  defineOrderService,
  OrderPlacedEvent,
  OrderShippedEvent,
} from "../generated/example/orders/v1/orders_nats.js";
import { Code, natsRuntime, RpcError, serve } from "../runtime/index.js";
import { findNats } from "./find-nats.js";
import { greeter } from "./services/greeter.js";
import { orderService } from "./services/orders.js";

const say = (text: string) => console.log(text);
const step = (title: string) => console.log(`\n== ${title}`);

// A namespace of its own, so the demo never meets other traffic on a shared server.
const namespace = `demo_${nuid.next().slice(-6)}`;
const nats = await findNats();
say(`protonats demo — NATS: ${nats.servers} (${nats.how}); namespace ${namespace}`);

// Each instance and the caller get their own connection, as separate processes would.
const [ncA, ncB, ncCaller] = await Promise.all([
  nats.connect("greeter-a"),
  nats.connect("greeter-b"),
  nats.connect("caller"),
]);
const runtimeA = natsRuntime(ncA, { namespace });
const runtimeB = natsRuntime(ncB, { namespace });
const caller = natsRuntime(ncCaller, { namespace });

try {
  step("1. Two instances of example.greeter.v1.Greeter register and listen");
  const serverA = await serve(runtimeA, [
    defineGreeter(greeter("A")),
    defineOrderService(orderService(runtimeA)),
  ]);
  const serverB = await serve(runtimeB, [defineGreeter(greeter("B"))]);
  const greeterAt = (server: typeof serverA) => server.addressOf("example.greeter.v1.Greeter");
  say(`instance A: node ${serverA.id} at ${greeterAt(serverA)} (also serves OrderService)`);
  say(`instance B: node ${serverB.id} at ${greeterAt(serverB)}`);
  const [found] = await caller.registry.getService("example.greeter.v1.Greeter");
  say(`registry: ${found?.name} v${found?.version} has ${found?.nodes.length} nodes`);

  step("2. Typed unary calls, balanced round robin");
  const greeterClient = createGreeterClient(caller);
  for (const name of ["Ada", "Grace", "Linus", "Barbara"]) {
    const reply = await greeterClient.sayHello({ name }, { timeoutMs: 2000 });
    say(`sayHello(${name}) → "${reply.message}" served by ${reply.servedBy}`);
  }

  step("3. Streams: server, client and bidirectional");
  for await (const reply of greeterClient.sayHelloStream({ name: "Ada", count: 3 })) {
    say(`sayHelloStream → "${reply.message}" (${reply.servedBy})`);
  }
  async function* names() {
    yield* [{ name: "Ada" }, { name: "Grace" }, { name: "Alan" }];
  }
  const all = await greeterClient.sayHelloToAll(names());
  say(`sayHelloToAll(3 names) → "${all.message}"`);
  for await (const reply of greeterClient.chat(names())) say(`chat → "${reply.message}"`);

  step("4. Errors arrive typed, with a code and no stack trace");
  try {
    await greeterClient.sayHello({ name: "" });
  } catch (err) {
    if (!(err instanceof RpcError)) throw err;
    say(`sayHello("") failed: ${Code[err.code]} (${err.message})`);
  }
  const ordersClient = createOrderServiceClient(caller);
  try {
    await ordersClient.getOrder({ id: "order-999" });
  } catch (err) {
    if (!(err instanceof RpcError)) throw err;
    say(`getOrder(order-999) failed: ${Code[err.code]} (${err.message})`);
  }

  step("5. Events: OrderPlaced shared by the 'fulfillment' queue group");
  const handled: string[] = [];
  const workers = await Promise.all(
    ["worker-1", "worker-2"].map((worker) =>
      OrderPlacedEvent.subscribe(caller, (event, context) => {
        handled.push(worker);
        say(`${worker} got ${event.order?.id} on ${context.subject}`);
      }),
    ),
  );
  for (const region of ["eu", "us", "eu", "apac"]) {
    const { order } = await ordersClient.placeOrder({
      customer: "ada",
      region,
      items: [{ sku: "book", quantity: 2, unitPriceCents: 1999n }],
    });
    say(`placeOrder(${region}) → ${order?.id}, total ${order?.totalCents} cents`);
  }
  await waitFor(() => handled.length === 4);
  say(`4 events, each handled once: ${handled.join(", ")}`);
  await Promise.all(workers.map((w) => w.unsubscribe()));

  step("6. Durable events: billing was down when orders shipped, and still gets them");
  for (const orderId of ["order-1", "order-2", "order-3"]) {
    await OrderShippedEvent.publish(caller, { orderId, region: "eu", carrier: "post" });
    say(`published OrderShipped ${orderId} (stored and acknowledged by JetStream)`);
  }
  const billed: string[] = [];
  const billing = await OrderShippedEvent.subscribe(
    caller,
    (event) => {
      billed.push(event.orderId);
      say(`billing (back up) got ${event.orderId}`);
    },
    { queue: "billing" },
  );
  await waitFor(() => billed.length === 3);
  await billing.unsubscribe();

  step("7. Graceful stop: deregister, finish calls in flight, drain");
  await Promise.all([serverA.stop(), serverB.stop()]);
  say("both instances stopped");
  try {
    await greeterClient.sayHello({ name: "Ada" }, { timeoutMs: 1000 });
  } catch (err) {
    if (!(err instanceof RpcError)) throw err;
    say(`sayHello after stop: ${Code[err.code]} (${err.message})`);
  }
} finally {
  await removeDemoStreams();
  await Promise.all([ncA, ncB, ncCaller].map((nc) => nc.close()));
  await nats.close();
}
say("\ndone");

async function removeDemoStreams() {
  const jsm = await jetstreamManager(ncCaller).catch(() => undefined);
  if (!jsm) return;
  for await (const stream of jsm.streams.list()) {
    if (stream.config.name.startsWith(namespace)) await jsm.streams.delete(stream.config.name);
  }
}

async function waitFor(done: () => boolean, timeoutMs = 5000) {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error("timed out waiting for events");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
