import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { call } from "./commands/call.js";
import { describe } from "./commands/describe.js";
import { ls } from "./commands/ls.js";
import { ping } from "./commands/ping.js";
import { publish } from "./commands/publish.js";
import { stats } from "./commands/stats.js";
import { subscribe } from "./commands/subscribe.js";
import { watch } from "./commands/watch.js";
import { CommandContext } from "./context.js";
import { reportError } from "./errors.js";
import type { CliIo } from "./io.js";
import type { GlobalOptions } from "./options.js";
import { colors } from "./output.js";

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("must be a positive integer");
  return n;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * Runs the `protonats` CLI on `argv` (without `node` and the script) and
 * resolves with the exit status: 0, or the gRPC code number of the failure
 * (`not_found` 5, `invalid_argument` 3, `deadline_exceeded` 4, ...).
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let status = 0;
  const program = new Command("protonats")
    .description("See, call and watch protonats services on NATS, without their .proto")
    .addOption(
      new Option(
        "-s, --server <urls>",
        "NATS servers, comma-separated (default: NATS_URL, else 127.0.0.1:4222)",
      ),
    )
    .addOption(new Option("-n, --namespace <ns>", "protonats namespace").env("PROTONATS_NAMESPACE"))
    .addOption(
      new Option("-t, --timeout <ms>", "bound of every wait, in ms")
        .argParser(positiveInt)
        .default(5000),
    )
    .option("--json", "machine-readable output (JSON, NDJSON for streams)", false)
    .option(
      "--descriptor-set <file>",
      "use this FileDescriptorSet (buf build -o x.binpb) instead of the registry's",
    )
    .option("--proto <dir>", "compile the .proto files under dir with buf and use them instead")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.write(s),
      writeErr: (s) => io.writeError(s),
      outputError: () => undefined, // reported below, with its code
    })
    .showHelpAfterError(false);

  const run =
    <A extends unknown[]>(command: (ctx: CommandContext, ...args: A) => Promise<void>) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const opts = cmd.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
      const options: GlobalOptions = {
        ...opts,
        timeoutGiven: program.getOptionValueSource("timeout") !== "default",
      };
      const ctx = new CommandContext(io, options);
      try {
        await command(ctx, ...(args.slice(0, -1) as A));
      } catch (error) {
        status = reportError(io, ctx.c, options.json, error, ctx.detailTypes);
      } finally {
        await ctx.close();
      }
    };

  program
    .command("ls")
    .description("services with versions, instances and endpoints (also plain $SRV services)")
    .action(run((ctx) => ls(ctx)));
  program
    .command("describe")
    .description("a service, method, message or event as proto text")
    .argument("<name>", "Greeter, example.greeter.v1.Greeter, Greeter/SayHello, OrderPlaced, ...")
    .action(run((ctx, name: string) => describe(ctx, name)));
  program
    .command("call")
    .description(
      "call a method: JSON in (argument, @file, or - for stdin; NDJSON for client streams), JSON out",
    )
    .argument("<method>", "<service>/<method>, e.g. Greeter/SayHello")
    .argument("[json]", "request as JSON, @file, or - (stdin)")
    .option("-H, --header <key: value>", "request header (repeatable)", collect, [])
    .action(
      run((ctx, method: string, json: string | undefined, o: { header: string[] }) =>
        call(ctx, method, json, o),
      ),
    );
  program
    .command("publish")
    .description("publish a typed event from JSON; subject tokens come from its fields")
    .argument("<event>", "event message name, e.g. OrderPlaced")
    .argument("[json]", "event as JSON, @file, or - (stdin)")
    .option("-H, --header <key: value>", "header (repeatable)", collect, [])
    .action(
      run((ctx, event: string, json: string | undefined, o: { header: string[] }) =>
        publish(ctx, event, json, o),
      ),
    );
  program
    .command("subscribe")
    .description("print events as JSON lines, by event name or subject")
    .argument("<target>", "event message name (OrderPlaced) or subject (orders.*.placed)")
    .option(
      "--token <field=value>",
      "narrow an event's subject by a field token (repeatable)",
      collect,
      [],
    )
    .option("-q, --queue <name>", "join a queue group (a durable event's consumer: acknowledges)")
    .option("--since <when>", "replay a durable event: all, a duration (10m, 2h) or a date")
    .option("-c, --count <n>", "stop after n events", positiveInt)
    .action(
      run((ctx, target: string, o: Parameters<typeof subscribe>[2]) => subscribe(ctx, target, o)),
    );
  program
    .command("watch")
    .description("registry changes live: instances up, down, expired")
    .argument("[service]", "only this service (full name)")
    .option("-c, --count <n>", "stop after n changes", positiveInt)
    .action(
      run((ctx, service: string | undefined, o: { count?: number }) => watch(ctx, service, o)),
    );
  program
    .command("stats")
    .description("$SRV.STATS of protonats and any ADR-32 service")
    .argument("[service]", "only this service")
    .action(run((ctx, service: string | undefined) => stats(ctx, service)));
  program
    .command("ping")
    .description("$SRV.PING every instance and show its round trip")
    .argument("[service]", "only this service")
    .action(run((ctx, service: string | undefined) => ping(ctx, service)));

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (
      error instanceof CommanderError &&
      (error.exitCode === 0 || error.code === "commander.helpDisplayed")
    ) {
      return 0;
    }
    return reportError(io, colors(io), argv.includes("--json"), error);
  }
  return status;
}
