import { MemoryStore } from "../../src/store/memory.ts";
import { storeContract } from "./contract.ts";

storeContract("MemoryStore", async (opts) => new MemoryStore(opts));
