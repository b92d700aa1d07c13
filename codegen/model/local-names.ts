/**
 * The names a generated file declares. Two generated declarations could ask
 * for the same name (services `Foo` and `createFoo` both want
 * `createFooClient`); the later one gets a `$n` suffix, which protobuf names
 * can never contain. Clashes with imported names are resolved by protoplugin.
 */
export class LocalNames {
  private readonly taken = new Set<string>();

  /** `preferred`, or the first free `preferred$n`. */
  take(preferred: string): string {
    let name = preferred;
    for (let n = 1; this.taken.has(name); n++) name = `${preferred}$${n}`;
    this.taken.add(name);
    return name;
  }
}
