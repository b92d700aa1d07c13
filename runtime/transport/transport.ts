// Placeholder contract, to be completed by the transport work (issue 3/5).
export interface Transport {
  readonly kind: string;
}
