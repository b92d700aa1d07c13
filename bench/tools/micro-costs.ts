// Per-operation cost of the pieces of a unary call, in one process without
// NATS: what the codec, headers and message creation cost before any I/O.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { type Msg, headers as natsHeaders } from "@nats-io/transport-node";
import {
  SayHelloRequestSchema,
  SayHelloResponseSchema,
} from "../../generated/example/greeter/v1/greeter_pb.js";
import { headerBlock } from "../../runtime/nats/transport/header-block.js";
import { decodeNatsFrame } from "../../runtime/nats/transport/nats-frame-codec.js";
import { encodeFrame } from "../../runtime/wire/frame-codec.js";

function time(name: string, n: number, fn: () => unknown) {
  for (let i = 0; i < n / 10; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  const ns = ((performance.now() - t0) * 1e6) / n;
  console.log(`${ns.toFixed(0).padStart(7)} ns  ${name}`);
}
const n = 200_000;
const name = "x".repeat(100);
const req = create(SayHelloRequestSchema, { name });
const body = toBinary(SayHelloRequestSchema, req);
time("create(SayHelloRequest, init)", n, () => create(SayHelloRequestSchema, { name }));
time("toBinary(SayHelloRequest)", n, () => toBinary(SayHelloRequestSchema, req));
time("fromBinary(SayHelloRequest)", n, () => fromBinary(SayHelloRequestSchema, body));
time("create(SayHelloResponse, init)", n, () => create(SayHelloResponseSchema, { message: name }));
const frame = {
  type: "call" as const,
  method: "/example.greeter.v1.Greeter/SayHello",
  headers: {},
  body,
  timeoutMs: 4999.5,
};
time("encodeFrame(call) + headerBlock", n, () => headerBlock(encodeFrame(frame).lines));
/** What nats.js calls on the headers of every publish (not part of the public MsgHdrs type). */
const encoded = headerBlock(encodeFrame(frame).lines) as unknown as { encode(): Uint8Array };
time("MsgHdrs.encode()", n, () => encoded.encode());
const wire = encoded.encode();
time("natsHeaders() + 2 set", n, () => {
  const h = natsHeaders();
  h.set("Pn-Method", "/example.greeter.v1.Greeter/SayHello");
  h.set("Pn-Timeout", "5000");
});
// A received message as nats.js hands it over: headers decoded lazily from bytes.
const { MsgHdrsImpl } = (await import("@nats-io/nats-core/internal")) as unknown as {
  MsgHdrsImpl: { decode(a: Uint8Array): Msg["headers"] };
};
time("decode headers + decodeNatsFrame(call)", n, () =>
  decodeNatsFrame({ headers: MsgHdrsImpl.decode(wire), data: body } as unknown as Msg, true),
);
time("decodeNatsFrame(reply, no headers)", n, () =>
  decodeNatsFrame({ headers: undefined, data: body } as unknown as Msg, false),
);
