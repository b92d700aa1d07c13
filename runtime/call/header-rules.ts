/** Printable ASCII without space or colon: what a header name may be (NATS, HTTP/1). */
const validName = /^[!-9;-~]+$/;

/**
 * Throws `TypeError` for a header name or value no transport can carry as a
 * line (NATS headers, HTTP/1 fields): one rule for clients, which refuse such
 * headers before a call starts, and for the wire codec.
 */
export function checkHeader(name: string, value: string): void {
  if (!validName.test(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
  if (value.includes("\r") || value.includes("\n")) {
    throw new TypeError(`header ${name}: values cannot contain line breaks`);
  }
}
