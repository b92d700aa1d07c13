import type { Runtime } from "../../../runtime/runtime.js";
import type { FrameType, Transport } from "../../../runtime/transport/transport.js";

/** Frame types a client sent and received, in order, across all its calls. */
export interface FrameLog {
  sent: FrameType[];
  received: FrameType[];
}

/**
 * `runtime` with a transport that records the frame types of every client
 * call (dial), so a test can see what travelled without looking at the wire.
 */
export function recordingClientRuntime(runtime: Runtime): { runtime: Runtime; log: FrameLog } {
  const log: FrameLog = { sent: [], received: [] };
  const inner = runtime.transport;
  const transport: Transport = {
    kind: inner.kind,
    get maxPayload() {
      return inner.maxPayload;
    },
    dial(address, receiver) {
      const socket = inner.dial(address, {
        receive(frame) {
          log.received.push(frame.type);
          receiver.receive(frame);
        },
      });
      return {
        send(frame) {
          log.sent.push(frame.type);
          socket.send(frame);
        },
        close: () => socket.close(),
      };
    },
    publish: (address, frame) => inner.publish(address, frame),
    listen: (options, acceptor) => inner.listen(options, acceptor),
    close: () => inner.close(),
  };
  return { runtime: { ...runtime, transport }, log };
}
