/**
 * Header naming the protobuf type of an event body. A subscriber rejects a
 * body of another type (as a decode error) instead of misreading its bytes.
 */
export const EventTypeHeader = "Pn-Event-Type";
