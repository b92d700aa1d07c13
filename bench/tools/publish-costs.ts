// CPU per publish on the publishing side, raw `nc.publish` against the typed
// `OrderPlacedEvent.publish` and its parts, in bursts like the delivery benchmark.
//   tsx bench/tools/publish-costs.ts <url>
import { create, toBinary } from "@bufbuild/protobuf";
import { connect } from "@nats-io/transport-node";
import { natsRuntime } from "protonats";
import { encodeInit } from "protonats/protocol";
import { OrderPlacedEvent } from "../../generated/example/orders/v1/orders_nats.js";
import { OrderPlacedSchema } from "../../generated/example/orders/v1/orders_pb.js";
import { publishHeaders } from "../../runtime/nats/broker/headers.js";

const [url] = process.argv.slice(2) as [string];
const nc = await connect({ servers: url, noAsyncTraces: true });
const runtime = natsRuntime(nc);
const event = { region: "eu", order: { id: "1", customer: "x".repeat(100), region: "eu" } };
const payload = new Uint8Array(120);

async function time(name: string, n: number, publishOne: () => unknown) {
  for (let round = 0; round < 2; round++) {
    const usage = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      publishOne();
      if ((i & 1023) === 1023) await nc.flush();
    }
    await nc.flush();
    const cpu = process.cpuUsage(usage);
    if (round === 1)
      console.log(`${(((cpu.user + cpu.system) / n) * 1000).toFixed(0).padStart(6)} ns  ${name}`);
  }
}
const n = 100_000;
await time("nc.publish(120 B)", n, () => nc.publish("bench.x", payload));
await time("create(OrderPlaced)", n, () => create(OrderPlacedSchema, event));
const message = create(OrderPlacedSchema, event);
await time("toBinary(OrderPlaced)", n, () => toBinary(OrderPlacedSchema, message));
await time("OrderPlacedEvent.subjectFor", n, () => OrderPlacedEvent.subjectFor(event));
const typeHeaders = Object.freeze({ "Pn-Event-Type": OrderPlacedSchema.typeName });
const body = encodeInit(OrderPlacedSchema, event);
await time("nc.publish(body, prebuilt type header block)", n, () =>
  nc.publish("orders.eu.placed", body, { headers: publishHeaders(typeHeaders)! }),
);
await time("broker.publish(body, frozen type header)", n, () =>
  runtime.broker.publish("orders.eu.placed", body, { headers: typeHeaders }),
);
await time("encodeInit(OrderPlaced)", n, () => encodeInit(OrderPlacedSchema, event));
await time("OrderPlacedEvent.publish", n, () => OrderPlacedEvent.publish(runtime, event));
await nc.close();
