import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { Code, parseCode } from "./code.js";
import { type ErrorDetail, RpcError } from "./rpc-error.js";

/**
 * The body of an error reply when it carries details: the same layout as
 * `google.rpc.Status` (1: int32 code, 2: string message, 3: repeated
 * google.protobuf.Any details, Any = 1: string type_url, 2: bytes value), so
 * any protobuf tool can decode it. Hand-encoded: the runtime needs no
 * generated code for it.
 */
const typeUrlPrefix = "type.googleapis.com/";

/** Encodes the code, message and details of an error as a `google.rpc.Status`. */
export function encodeStatus(error: RpcError): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, WireType.Varint).int32(error.code);
  if (error.rawMessage) w.tag(2, WireType.LengthDelimited).string(error.rawMessage);
  for (const d of error.details) {
    w.tag(3, WireType.LengthDelimited).fork();
    w.tag(1, WireType.LengthDelimited).string(typeUrlPrefix + d.typeName);
    w.tag(2, WireType.LengthDelimited).bytes(d.value);
    w.join();
  }
  return w.finish();
}

/** What a `google.rpc.Status` body holds. */
export interface DecodedStatus {
  code: Code;
  message: string;
  details: ErrorDetail[];
}

/**
 * Decodes a `google.rpc.Status` body. Throws `RpcError` `DataLoss` when the
 * bytes are not a valid encoding, so a corrupt error reply is reported as such
 * rather than as the error it tried to carry.
 */
export function decodeStatus(bytes: Uint8Array): DecodedStatus {
  try {
    const r = new BinaryReader(bytes);
    let code = Code.Unknown;
    let message = "";
    const details: ErrorDetail[] = [];
    while (r.pos < r.len) {
      const [field, wireType] = r.tag();
      if (field === 1 && wireType === WireType.Varint) code = parseCode(r.int32());
      else if (field === 2 && wireType === WireType.LengthDelimited) message = r.string();
      else if (field === 3 && wireType === WireType.LengthDelimited)
        details.push(decodeAny(r.bytes()));
      else r.skip(wireType, field);
    }
    return { code, message, details };
  } catch (cause) {
    throw new RpcError(Code.DataLoss, "malformed error status in reply body", { cause });
  }
}

function decodeAny(bytes: Uint8Array): ErrorDetail {
  const r = new BinaryReader(bytes);
  let typeUrl = "";
  let value: Uint8Array = new Uint8Array(0);
  while (r.pos < r.len) {
    const [field, wireType] = r.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) typeUrl = r.string();
    // A copy: the reader returns a view into the (pooled) receive buffer.
    else if (field === 2 && wireType === WireType.LengthDelimited)
      value = new Uint8Array(r.bytes());
    else r.skip(wireType, field);
  }
  const slash = typeUrl.lastIndexOf("/");
  return { typeName: slash >= 0 ? typeUrl.slice(slash + 1) : typeUrl, value };
}
