import type { DescFile, DescMessage } from "@bufbuild/protobuf";
import { nestedTypes } from "@bufbuild/protobuf/reflect";
import type { Diagnostic } from "../model/diagnostic.js";
import { readEventOptions, readMethodOptions, readServiceOptions } from "../model/read-options.js";
import { unknownFieldProblems } from "./unknown-fields.js";
import { validateEvent } from "./validate-event.js";
import { validateMethod } from "./validate-method.js";
import { validateService } from "./validate-service.js";

/** Every problem with the protonats options in `file`, in source order. */
export function validateFile(file: DescFile): Diagnostic[] {
  const problems: Diagnostic[] = [];
  for (const svc of file.services) {
    const svcOptions = readServiceOptions(svc);
    if (svcOptions !== undefined) {
      problems.push(...unknownFieldProblems(svc, "protonats.v1.service", svcOptions));
      problems.push(...validateService(svc, svcOptions));
    }
    for (const rpc of svc.methods) {
      const rpcOptions = readMethodOptions(rpc);
      if (rpcOptions === undefined) continue;
      problems.push(...unknownFieldProblems(rpc, "protonats.v1.method", rpcOptions));
      problems.push(...validateMethod(rpc, rpcOptions));
    }
  }
  for (const message of messagesOf(file)) {
    const eventOptions = readEventOptions(message);
    if (eventOptions === undefined) continue;
    problems.push(...unknownFieldProblems(message, "protonats.v1.event", eventOptions));
    problems.push(...validateEvent(message, eventOptions));
  }
  return problems;
}

/** All messages of a file, nested ones included, in declaration order. */
export function messagesOf(file: DescFile): DescMessage[] {
  return [...nestedTypes(file)].filter((t): t is DescMessage => t.kind === "message");
}
