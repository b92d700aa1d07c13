import type { Message } from "@bufbuild/protobuf";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import type { AnyFn, AnyRequest, AnyResponse } from "../interceptor.js";

/** Called once when a call ends: `error` undefined on success. */
export type CallEndListener = (
  error: RpcError | undefined,
  response: AnyResponse | undefined,
) => void;

/**
 * Runs `next(req)` and calls `onEnd` exactly once when the call is over: a
 * unary call when its response or error arrives; a stream when its response
 * messages end, fail, or their consumer stops early (reported as `Canceled`).
 */
export async function observeCallEnd(
  next: AnyFn,
  req: AnyRequest,
  onEnd: CallEndListener,
): Promise<AnyResponse> {
  let res: AnyResponse;
  try {
    res = await next(req);
  } catch (error) {
    onEnd(RpcError.from(error), undefined);
    throw error;
  }
  if (!res.stream) {
    onEnd(undefined, res);
    return res;
  }
  res.messages = watchEnd(res.messages, (error) => onEnd(error, res));
  return res;
}

async function* watchEnd(
  messages: AsyncIterable<Message>,
  onEnd: (error: RpcError | undefined) => void,
): AsyncIterable<Message> {
  let completed = false;
  let failure: RpcError | undefined;
  try {
    yield* messages;
    completed = true;
  } catch (error) {
    failure = RpcError.from(error);
    throw error;
  } finally {
    onEnd(
      completed
        ? undefined
        : (failure ?? new RpcError(Code.Canceled, "stream left by its consumer")),
    );
  }
}

/** "client" or "server": server-side requests carry the handler's context. */
export function sideOf(req: AnyRequest): "client" | "server" {
  return req.context === undefined ? "client" : "server";
}
