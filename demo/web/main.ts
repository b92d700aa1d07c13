// The web demo page: the generated clients on a NATS WebSocket connection.

import type { MessageInitShape } from "@bufbuild/protobuf";
import { wsconnect } from "@nats-io/nats-core";
import { Code, natsRuntime, RpcError } from "protonats";
import { createGreeterClient } from "../../generated/example/greeter/v1/greeter_nats.js";
import type { SayHelloRequestSchema } from "../../generated/example/greeter/v1/greeter_pb.js";
import {
  createOrderServiceClient,
  OrderPlacedEvent,
} from "../../generated/example/orders/v1/orders_nats.js";
import { Outbox } from "./outbox.js";

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = element<HTMLParagraphElement>("status");
const show = (id: string, text: string) => {
  const item = document.createElement("li");
  item.textContent = text;
  element(id).append(item);
};
const failure = (error: unknown) =>
  error instanceof RpcError ? `${Code[error.code]}: ${error.rawMessage}` : String(error);

// Where to connect comes in the query string (printed by `npm run demo:web`).
const params = new URLSearchParams(location.search);
const ws = params.get("ws") ?? "ws://127.0.0.1:8080";
const namespace = params.get("namespace") ?? undefined;

try {
  const nc = await wsconnect({
    servers: ws,
    name: "web-demo",
    ...(params.has("user") && { user: params.get("user") ?? "", pass: params.get("pass") ?? "" }),
    // The inbox this user alone may read (see the README on browser permissions).
    inboxPrefix: params.get("inboxPrefix") ?? "_INBOX",
  });
  const runtime = natsRuntime(nc, namespace === undefined ? {} : { namespace });
  const greeter = createGreeterClient(runtime);
  const orders = createOrderServiceClient(runtime);

  element("hello").onclick = async () => {
    const out = element("hello-out");
    try {
      const reply = await greeter.sayHello({ name: element<HTMLInputElement>("name").value });
      out.textContent = `${reply.message} (served by ${reply.servedBy})`;
    } catch (error) {
      out.textContent = failure(error);
    }
  };

  element("stream").onclick = async () => {
    element("stream-out").replaceChildren();
    try {
      const name = element<HTMLInputElement>("name").value;
      for await (const reply of greeter.sayHelloStream({ name, count: 3 })) {
        show("stream-out", reply.message);
      }
    } catch (error) {
      show("stream-out", failure(error));
    }
  };

  // One chat stream stays open; each Send is one more message on it.
  const chat = new Outbox<MessageInitShape<typeof SayHelloRequestSchema>>();
  void (async () => {
    try {
      for await (const reply of greeter.chat(chat)) show("chat-out", reply.message);
    } catch (error) {
      show("chat-out", failure(error));
    }
  })();
  element("chat-send").onclick = () => {
    chat.push({ name: element<HTMLInputElement>("chat-name").value });
  };

  // Every OrderPlaced event, typed; queue "" so this page sees them all.
  await OrderPlacedEvent.subscribe(
    runtime,
    (event, context) => {
      const total = event.order?.totalCents ?? 0n;
      show(
        "events-out",
        `${event.order?.id} placed in ${event.region}: ${total} cents (${context.subject})`,
      );
    },
    { queue: "" },
  );
  let placed = 0;
  element("order").onclick = async () => {
    const region = ["eu", "us", "apac"][placed++ % 3] ?? "eu";
    try {
      await orders.placeOrder({
        customer: "web",
        region,
        items: [{ sku: "book", quantity: 2, unitPriceCents: 1999n }],
      });
    } catch (error) {
      show("events-out", failure(error));
    }
  };

  for (const button of document.querySelectorAll("button")) button.disabled = false;
  status.textContent = `connected to ${ws}`;
  status.dataset.state = "connected";
} catch (error) {
  status.textContent = `not connected: ${failure(error)}`;
  status.dataset.state = "failed";
}
