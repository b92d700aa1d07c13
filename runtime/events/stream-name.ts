/**
 * The default stream of a durable event: the subject's first literal token in
 * upper case (`orders.{region}.shipped` → `ORDERS`), so that the events of one
 * domain share a stream; `PN_EVENTS` when the subject starts with a field.
 */
export function defaultStreamName(template: string): string {
  const first = template.split(".")[0] ?? "";
  if (first.length === 0 || first.startsWith("{")) return "PN_EVENTS";
  return first.toUpperCase().replace(/[^A-Z0-9_-]/g, "_");
}
