const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * A random id of 22 base-62 characters (about 131 bits), a single subject
 * token; from `crypto.getRandomValues`, which every runtime has (unlike
 * `randomUUID`, which browsers keep to secure contexts).
 */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(22));
  let id = "";
  for (const b of bytes) id += alphabet[b % 62];
  return id;
}
