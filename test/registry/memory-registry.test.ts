import { MemoryRegistry } from "../../runtime/memory/memory-registry.js";
import { registryContract } from "./registry-contract.js";

registryContract("MemoryRegistry", async () => {
  const registry = new MemoryRegistry();
  return {
    home: registry,
    peer: registry,
    settle: async () => {},
    dispose: () => registry.close(),
  };
});
