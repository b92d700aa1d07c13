import type { Registry } from "@bufbuild/protobuf";
import { type Bus, openBus } from "./bus.js";
import type { CliIo } from "./io.js";
import type { GlobalOptions } from "./options.js";
import { type Colors, colors } from "./output.js";
import { withProgress } from "./progress.js";
import { Schemas } from "./schemas.js";

/** What a command runs with: its options, output and (opened on demand) the bus. */
export class CommandContext {
  readonly c: Colors;
  /** Types to decode error details with (set by `call` once it knows the service). */
  detailTypes: Registry | undefined;
  #bus: Promise<Bus> | undefined;
  #schemas: Promise<Schemas> | undefined;

  constructor(
    readonly io: CliIo,
    readonly options: GlobalOptions,
  ) {
    this.c = colors(io);
  }

  bus(): Promise<Bus> {
    this.#bus ??= this.progress("connecting to NATS", () => openBus(this.options));
    return this.#bus;
  }

  schemas(): Promise<Schemas> {
    this.#schemas ??= this.bus().then((bus) =>
      Schemas.open(bus, this.options.timeout, this.options),
    );
    return this.#schemas;
  }

  /** A spinner on a terminal while waiting (never with `--json`). */
  progress<T>(text: string, work: () => Promise<T>): Promise<T> {
    return withProgress(this.io, !this.options.json, text, work);
  }

  out(text: string): void {
    this.io.write(text);
  }

  async close(): Promise<void> {
    const bus = await this.#bus?.catch(() => undefined);
    await bus?.close();
  }
}
