// The flags Chromium runs with here: headless without a sandbox (containers), and nothing that
// phones home or updates itself, so timings and memory reflect the portal work only.
export const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
] as const;
