/**
 * An environment variable where a platform has them (Node, Bun, Deno given
 * `--allow-env`); undefined in browsers or when reading it is not allowed.
 */
export function envVar(name: string): string | undefined {
  try {
    return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
      ?.env?.[name];
  } catch {
    return undefined;
  }
}
